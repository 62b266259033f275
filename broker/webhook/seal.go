package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// sealedPrefix marks a value encrypted by a Sealer.
const sealedPrefix = "enc:v1:"

// Sealer encrypts webhook credentials at rest with AES-256-GCM: the
// request password and the values of secret headers (see SecretHeader).
type Sealer struct{ aead cipher.AEAD }

// NewSealer derives an AES-256 key from secret (SHA-256 of it: use a
// random string of 32 characters or more).
func NewSealer(secret string) (*Sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("the secret key must be at least 16 characters long")
	}
	key := sha256.Sum256([]byte(secret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// secrets calls fn on each credential of a definition document.
func secrets(doc map[string]any, fn func(string) (string, error)) error {
	req, ok := doc["request"].(map[string]any)
	if !ok {
		return nil
	}
	if p, ok := req["password"].(string); ok && p != "" {
		v, err := fn(p)
		if err != nil {
			return fmt.Errorf("request.password: %w", err)
		}
		req["password"] = v
	}
	if hs, ok := req["headers"].(map[string]any); ok {
		for k, h := range hs {
			if s, ok := h.(string); ok && SecretHeader(k) {
				v, err := fn(s)
				if err != nil {
					return fmt.Errorf("request.headers.%s: %w", k, err)
				}
				hs[k] = v
			}
		}
	}
	return nil
}

func rewrite(def json.RawMessage, fn func(string) (string, error)) (json.RawMessage, error) {
	var doc map[string]any
	if err := json.Unmarshal(def, &doc); err != nil {
		return nil, err
	}
	if err := secrets(doc, fn); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// Seal encrypts the credentials of a definition; a nil Sealer leaves it
// as it is.
func (s *Sealer) Seal(def json.RawMessage) (json.RawMessage, error) {
	if s == nil {
		return def, nil
	}
	return rewrite(def, func(v string) (string, error) {
		if strings.HasPrefix(v, sealedPrefix) {
			return v, nil
		}
		nonce := make([]byte, s.aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return "", err
		}
		return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(v), nil)), nil
	})
}

// Open decrypts the credentials of a definition. Without a key (nil
// Sealer) a definition with encrypted credentials is an error.
func (s *Sealer) Open(def json.RawMessage) (json.RawMessage, error) {
	return rewrite(def, func(v string) (string, error) {
		if !strings.HasPrefix(v, sealedPrefix) {
			return v, nil
		}
		if s == nil {
			return "", errors.New("is encrypted and no secret key is configured (CONTRACTS_SECRET_KEY)")
		}
		raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(v, sealedPrefix))
		if err != nil || len(raw) < s.aead.NonceSize() {
			return "", errors.New("is not a value this broker encrypted")
		}
		plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], nil)
		if err != nil {
			return "", errors.New("cannot be decrypted with the configured secret key")
		}
		return string(plain), nil
	})
}
