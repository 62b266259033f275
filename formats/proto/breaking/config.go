package breaking

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// BufConfig is the part of a buf.yaml (version v1 or v2) that chooses the
// breaking rules: its top-level breaking.use and breaking.except lists.
type BufConfig struct {
	Use    []string
	Except []string
}

// ParseBufConfig reads a buf.yaml. An unknown category or rule in use or
// except is an error naming it; ignore, ignore_only and per-module
// settings are not read.
func ParseBufConfig(data []byte) (BufConfig, error) {
	var doc struct {
		Version  string `yaml:"version"`
		Breaking struct {
			Use    []string `yaml:"use"`
			Except []string `yaml:"except"`
		} `yaml:"breaking"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return BufConfig{}, fmt.Errorf("parse buf.yaml: %w", err)
	}
	switch doc.Version {
	case "", "v1", "v1beta1", "v2":
	default:
		return BufConfig{}, fmt.Errorf("parse buf.yaml: version %q: want v1 or v2", doc.Version)
	}
	cfg := BufConfig{Use: doc.Breaking.Use, Except: doc.Breaking.Except}
	for _, field := range []struct {
		name  string
		names []string
	}{{"breaking.use", cfg.Use}, {"breaking.except", cfg.Except}} {
		if _, err := Select(field.names); err != nil && len(field.names) > 0 {
			return BufConfig{}, fmt.Errorf("parse buf.yaml: %s: %w", field.name, err)
		}
	}
	return cfg, nil
}

// Rules returns the rules the configuration chooses: Use (DefaultCategories
// when empty) minus Except.
func (c BufConfig) Rules() (RuleSet, error) {
	set, err := Select(c.Use)
	if err != nil {
		return nil, err
	}
	if len(c.Except) > 0 {
		except, err := Select(c.Except)
		if err != nil {
			return nil, err
		}
		for id := range except {
			delete(set, id)
		}
	}
	return set, nil
}
