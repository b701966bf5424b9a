// A program in the style of the Perses Go SDK: it prints plain Perses
// resources, without positions.
package main

import (
	"encoding/json"
	"os"
)

func main() {
	resources := []map[string]any{
		{"kind": "Project", "metadata": map[string]any{"name": "plain"}, "spec": map[string]any{}},
		{"kind": "Datasource", "metadata": map[string]any{"name": "pyro", "project": "plain"}, "spec": map[string]any{
			"default": true,
			"plugin":  map[string]any{"kind": "PyroscopeDatasource", "spec": map[string]any{"directUrl": "http://pyroscope:4040"}},
		}},
		{"kind": "Dashboard", "metadata": map[string]any{"name": "cpu", "project": "plain"}, "spec": map[string]any{
			"panels": map[string]any{"cpu": map[string]any{"kind": "Panel", "spec": map[string]any{
				"plugin": map[string]any{"kind": "FlameChart", "spec": map[string]any{}},
				"queries": []any{map[string]any{"kind": "ProfileQuery", "spec": map[string]any{"plugin": map[string]any{
					"kind": "PyroscopeProfileQuery",
					"spec": map[string]any{"profileType": "cpu", "service": "api"},
				}}}},
			}}},
			"layouts": []any{map[string]any{"kind": "Grid", "spec": map[string]any{"items": []any{
				map[string]any{"x": 0, "y": 0, "width": 24, "height": 10, "content": map[string]any{"$ref": "#/spec/panels/cpu"}},
			}}}},
		}},
	}
	if err := json.NewEncoder(os.Stdout).Encode(resources); err != nil {
		panic(err)
	}
}
