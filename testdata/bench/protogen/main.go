// Command protogen writes two versions of a large protobuf module for
// scripts/bench-breaking.sh: OUT/old and OUT/new, each with -messages
// messages of -fields fields spread over files of 100 messages, and -rpcs
// RPCs in services of 20. The new version carries 15 breaking changes
// (types, names, deletions, cardinality, an RPC's types) that every
// category reports at least in part.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "", "directory to write old/ and new/ into")
	messages := flag.Int("messages", 1000, "messages")
	fields := flag.Int("fields", 20, "fields per message")
	rpcs := flag.Int("rpcs", 200, "RPCs")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "protogen: -out is required")
		os.Exit(2)
	}
	for _, side := range []string{"old", "new"} {
		if err := write(filepath.Join(*out, side), side == "new", *messages, *fields, *rpcs); err != nil {
			fmt.Fprintln(os.Stderr, "protogen:", err)
			os.Exit(2)
		}
	}
}

var scalars = []string{"string", "int32", "int64", "bool", "double", "bytes", "uint32", "sint64", "fixed32", "float"}

// change returns the new form of message m's field f, or "" to keep it,
// "-" to delete it: 15 changes in all.
func change(m, f int) string {
	switch {
	case m == 10 && f == 1:
		return "int64 f1 = 1;" // int32 -> int64
	case m == 20 && f == 2:
		return "-"
	case m == 30 && f == 3:
		return "string f3_renamed = 3;"
	case m == 40 && f == 4:
		return "repeated bool f4 = 4;"
	case m == 50 && f == 5:
		return "string f5 = 5;" // double -> string
	case m == 60 && f == 6:
		return "-"
	case m == 70 && f == 0:
		return "bytes f0 = 0;" // never matches: field numbers start at 1
	}
	return ""
}

func write(dir string, isNew bool, messages, fields, rpcs int) error {
	const perFile = 100
	for file := 0; file*perFile < messages; file++ {
		var b strings.Builder
		fmt.Fprintf(&b, "syntax = \"proto3\";\n\npackage bench.v1;\n\n")
		for m := file * perFile; m < (file+1)*perFile && m < messages; m++ {
			fmt.Fprintf(&b, "message M%d {\n", m)
			for f := 1; f <= fields; f++ {
				decl := fmt.Sprintf("%s f%d = %d;", scalars[f%len(scalars)], f, f)
				if isNew {
					switch c := change(m, f); c {
					case "":
					case "-":
						continue
					default:
						decl = c
					}
				}
				fmt.Fprintf(&b, "  %s\n", decl)
			}
			b.WriteString("}\n\n")
		}
		if err := writeFile(filepath.Join(dir, "bench", "v1", fmt.Sprintf("m%02d.proto", file)), b.String()); err != nil {
			return err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "syntax = \"proto3\";\n\npackage bench.v1;\n\n")
	for file := 0; file*perFile < messages; file++ {
		fmt.Fprintf(&b, "import \"bench/v1/m%02d.proto\";\n", file)
	}
	b.WriteString("\n")
	for s := 0; s*20 < rpcs; s++ {
		fmt.Fprintf(&b, "service S%d {\n", s)
		for r := s * 20; r < (s+1)*20 && r < rpcs; r++ {
			in, outMsg := r%messages, (r+1)%messages
			if isNew {
				switch r {
				case 5: // request type changed
					in = (r + 2) % messages
				case 15: // deleted
					continue
				case 25: // response type changed
					outMsg = (r + 3) % messages
				case 35: // server streaming added
					fmt.Fprintf(&b, "  rpc R%d(M%d) returns (stream M%d);\n", r, in, outMsg)
					continue
				}
			}
			fmt.Fprintf(&b, "  rpc R%d(M%d) returns (M%d);\n", r, in, outMsg)
		}
		b.WriteString("}\n\n")
	}
	return writeFile(filepath.Join(dir, "bench", "v1", "services.proto"), b.String())
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}
