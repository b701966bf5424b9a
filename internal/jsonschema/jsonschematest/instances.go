// Package jsonschematest reads YAML and JSON files as the JSON Schema
// validator's instances, for the tests that check pyrobuild's outputs and
// sources against a schema (package jsonschema's and the CRD output's).
package jsonschematest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Instances reads the documents of a YAML or JSON file as a language
// server sees them: each YAML document on its own, scalars by their tag.
func Instances(t testing.TB, path string) ([]any, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".json") {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		return []any{v}, err
	}
	var out []any
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		v, err := yamlValue(&n)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func yamlValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0])
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := yamlValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			v, err := yamlValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", nil
	case "!!int", "!!float":
		var v any
		err := json.Unmarshal([]byte(n.Value), &v)
		if err != nil {
			return n.Value, nil // 0x1f, .inf: a YAML number JSON lacks
		}
		return json.Number(n.Value), nil
	}
	return n.Value, nil
}
