// A program built against an SDK of protocol 1, which wrote positions as
// "file:line:col" itself: pyrobuild still reads them.
package main

import (
	"fmt"

	_ "github.com/pyrobuild/pyrobuild/dac"
)

// dac.ProfileType("cpuu") is where the document says the value is.
func main() {
	fmt.Println(`{
  "pyrobuild": 1,
  "resources": [
    {"kind": "Dashboard", "metadata": {"name": "cpu", "project": "broken"}, "spec": {
      "panels": {"typo": {"kind": "Panel", "spec": {"plugin": {"kind": "FlameChart", "spec": {}},
        "queries": [{"kind": "ProfileQuery", "spec": {"plugin": {"kind": "PyroscopeProfileQuery", "spec": {"profileType": "cpuu"}}}}]}}},
      "layouts": [{"kind": "Grid", "spec": {"items": [{"x": 0, "y": 0, "width": 12, "height": 6, "content": {"$ref": "#/spec/panels/typo"}}]}}]}}
  ],
  "positions": {
    "0": "main.go:12:6",
    "0/spec/panels/typo/spec/queries/0/spec/plugin/spec/profileType": "main.go:11:20"
  }
}`)
}
