// Package pgtest starts throwaway PostgreSQL clusters for tests, with the
// server binaries of Debian's postgresql package (/usr/lib/postgresql/N/bin)
// or initdb and pg_ctl on PATH:
//
//	c := pgtest.Start(t)         // initdb, pg_ctl start; stopped and removed at the end
//	dsn := c.NewDatabase(t)      // createdb: a fresh, empty database
//
// The cluster lives in a temp folder owned by the postgres OS user when the
// tests run as root (PostgreSQL refuses to run as root), listens on a free
// loopback port and keeps its unix socket in the same folder. Without the
// binaries the test is skipped with a message naming them, except under
// CI=true, where it fails: scripts/install-tools.sh installs them.
package pgtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Cluster is a running throwaway PostgreSQL cluster.
type Cluster struct {
	bin  string // folder of initdb, pg_ctl, createdb
	dir  string // holds data/, the socket and the log
	port int
	cred *syscall.Credential // nil: run the binaries as the current user
	n    atomic.Int64
}

// BinDir returns the folder holding initdb, pg_ctl and createdb, or an
// error naming what it looked for.
func BinDir() (string, error) {
	if d := os.Getenv("CONTRACTS_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("CONTRACTS_PG_BIN=%s: no initdb there: %w", d, err)
		}
		return d, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(found, func(i, j int) bool { return majorOf(found[i]) > majorOf(found[j]) })
	if len(found) > 0 {
		return filepath.Dir(found[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL server binaries (initdb, pg_ctl, createdb) not found in /usr/lib/postgresql/*/bin or on PATH: run scripts/install-tools.sh (apt-get install -y postgresql)")
}

func majorOf(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// Start initialises and starts a cluster, stopped and removed when tb
// ends. settings are extra server settings ("fsync=on"); by default the
// cluster trades durability for speed (fsync, synchronous_commit and
// full_page_writes off), which a test database can afford.
func Start(tb testing.TB, settings ...string) *Cluster {
	tb.Helper()
	bin, err := BinDir()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("pgtest: %v", err)
		}
		tb.Skipf("pgtest: %v", err)
	}
	c := &Cluster{bin: bin}
	// Not tb.TempDir: its parents are private to the current user, and the
	// server runs as the postgres user when the tests run as root.
	c.dir, err = os.MkdirTemp("", "pgtest-")
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(c.dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("pgtest: running as root needs the postgres OS user (created by the postgresql package): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(c.dir, uid, gid); err != nil {
			tb.Fatalf("pgtest: %v", err)
		}
	}
	data := filepath.Join(c.dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		tb.Fatalf("pgtest: initdb: %v\n%s", err, out)
	}
	opts := []string{"-c listen_addresses=127.0.0.1", "-k " + c.dir,
		"-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=100"}
	for _, s := range settings {
		opts = append(opts, "-c "+s)
	}
	// A free port can be taken between choosing it and the server binding
	// it: try a few.
	var out []byte
	for attempt := 0; attempt < 5; attempt++ {
		c.port, err = freePort()
		if err != nil {
			tb.Fatalf("pgtest: %v", err)
		}
		out, err = c.run("pg_ctl", "-D", data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60",
			"-o", strings.Join(append([]string{"-p " + strconv.Itoa(c.port)}, opts...), " "), "start")
		if err == nil {
			break
		}
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		tb.Fatalf("pgtest: pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	tb.Cleanup(func() {
		if out, err := c.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
			tb.Errorf("pgtest: pg_ctl stop: %v\n%s", err, out)
		}
	})
	return c
}

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "PGHOST="+c.dir, "PGUSER=postgres", "LC_ALL=C")
	if c.port != 0 {
		cmd.Env = append(cmd.Env, "PGPORT="+strconv.Itoa(c.port))
	}
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	// pg_ctl start leaves the server running with our pipes: WaitDelay
	// stops waiting for them once pg_ctl itself has exited.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err != nil && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		err = nil // only the I/O wait was cut short
	}
	return buf.Bytes(), err
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Port is the TCP port the cluster listens on (127.0.0.1).
func (c *Cluster) Port() int { return c.port }

// DSN returns a connection URL for database name over TCP on loopback.
func (c *Cluster) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// NewDatabase creates an empty database with createdb and returns its
// connection URL. The database goes away with the cluster.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test_%d", c.n.Add(1))
	if out, err := c.run("createdb", "-h", c.dir, "-p", strconv.Itoa(c.port), "-U", "postgres", name); err != nil {
		tb.Fatalf("pgtest: createdb %s: %v\n%s", name, err, out)
	}
	return c.DSN(name)
}

// Empty deletes every row of every table of the database at dsn except
// schema_migrations, and restarts its identity sequences, so a migrated
// database can be reused as a new one.
func (c *Cluster) Empty(dsn string) error {
	const sql = `DO $$ DECLARE t text; BEGIN
	SELECT string_agg(quote_ident(tablename), ', ') INTO t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations';
	IF t IS NOT NULL THEN EXECUTE 'TRUNCATE ' || t || ' RESTART IDENTITY CASCADE'; END IF;
	END $$`
	if out, err := c.run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, dsn); err != nil {
		return fmt.Errorf("pgtest: empty %s: %v\n%s", dsn, err, out)
	}
	return nil
}
