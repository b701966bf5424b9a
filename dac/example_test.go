package dac_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/pyrobuild/pyrobuild/dac"
)

// A dashboards program builds resources and emits them; pyrobuild runs it
// and reads the document. Positions are the frames of the calls, here of
// this file; pyrobuild finds their columns in the source.
func Example() {
	dac.Emit(
		dac.Project("shop"),
		dac.Dashboard("shop", "cpu",
			dac.Row(1, 12,
				dac.FlameChart("api",
					dac.ProfileQuery(dac.ProfileType("cpu"), dac.Query(`{service_name="api"}`)),
				),
			),
		),
	)
	// Output:
	// {
	//   "pyrobuild": 2,
	//   "resources": [
	//     {
	//       "kind": "Project",
	//       "metadata": {
	//         "name": "shop"
	//       },
	//       "spec": {}
	//     },
	//     {
	//       "kind": "Dashboard",
	//       "metadata": {
	//         "name": "cpu",
	//         "project": "shop"
	//       },
	//       "spec": {
	//         "panels": {
	//           "api": {
	//             "kind": "Panel",
	//             "spec": {
	//               "plugin": {
	//                 "kind": "FlameChart",
	//                 "spec": {}
	//               },
	//               "queries": [
	//                 {
	//                   "kind": "ProfileQuery",
	//                   "spec": {
	//                     "plugin": {
	//                       "kind": "PyroscopeProfileQuery",
	//                       "spec": {
	//                         "profileType": "cpu",
	//                         "query": "{service_name=\"api\"}"
	//                       }
	//                     }
	//                   }
	//                 }
	//               ]
	//             }
	//           }
	//         },
	//         "layouts": [
	//           {
	//             "kind": "Grid",
	//             "spec": {
	//               "items": [
	//                 {
	//                   "x": 0,
	//                   "y": 0,
	//                   "width": 24,
	//                   "height": 12,
	//                   "content": {
	//                     "$ref": "#/spec/panels/api"
	//                   }
	//                 }
	//               ]
	//             }
	//           }
	//         ]
	//       }
	//     }
	//   ],
	//   "positions": {
	//     "0": [0],
	//     "0/kind": [0],
	//     "0/metadata/name": [0],
	//     "1": [1],
	//     "1/kind": [1],
	//     "1/metadata/name": [1],
	//     "1/metadata/project": [1],
	//     "1/spec/panels/api": [2],
	//     "1/spec/panels/api/kind": [2],
	//     "1/spec/panels/api/spec/plugin/kind": [2],
	//     "1/spec/panels/api/spec/queries": [3],
	//     "1/spec/panels/api/spec/queries/0/kind": [3],
	//     "1/spec/panels/api/spec/queries/0/spec/plugin/kind": [3],
	//     "1/spec/panels/api/spec/queries/0/spec/plugin/spec/profileType": [4],
	//     "1/spec/panels/api/spec/queries/0/spec/plugin/spec/query": [5],
	//     "1/spec/layouts/0": [6],
	//     "1/spec/layouts/0/kind": [6],
	//     "1/spec/layouts/0/spec/items/0/content/$ref": [6]
	//   },
	//   "frames": [
	//     {"file": "example_test.go", "line": 16, "func": "Project"},
	//     {"file": "example_test.go", "line": 17, "func": "Dashboard"},
	//     {"file": "example_test.go", "line": 19, "func": "FlameChart"},
	//     {"file": "example_test.go", "line": 20, "func": "ProfileQuery"},
	//     {"file": "example_test.go", "line": 20, "func": "ProfileType"},
	//     {"file": "example_test.go", "line": 20, "func": "Query"},
	//     {"file": "example_test.go", "line": 18, "func": "Row"}
	//   ]
	// }
}

// Row lays panels out perRow to a row of the 24-column grid; a Row in a
// Grid goes below what the grid holds already.
func ExampleRow() {
	panel := func(key string) *dac.Panel {
		return dac.FlameChart(key, dac.ProfileQuery(dac.ProfileType("cpu"), dac.Service(key)))
	}
	d := dac.Dashboard("shop", "services",
		dac.Grid(
			dac.Title("Services"),
			dac.Row(3, 8, panel("api"), panel("web"), panel("db"), panel("queue")),
			dac.Row(1, 10, panel("all")),
		),
	)
	b, _ := json.Marshal(d)
	var out struct {
		Spec struct {
			Layouts []struct {
				Spec struct {
					Items []struct {
						X, Y, Width, Height int
						Content             struct {
							Ref string `json:"$ref"`
						}
					}
				}
			}
		}
	}
	_ = json.Unmarshal(b, &out)
	for _, it := range out.Spec.Layouts[0].Spec.Items {
		fmt.Printf("x=%-2d y=%-2d %2dx%-2d %s\n", it.X, it.Y, it.Width, it.Height, it.Content.Ref)
	}
	// Output:
	// x=0  y=0   8x8  #/spec/panels/api
	// x=8  y=0   8x8  #/spec/panels/web
	// x=16 y=0   8x8  #/spec/panels/db
	// x=0  y=8   8x8  #/spec/panels/queue
	// x=0  y=16 24x10 #/spec/panels/all
}

// Datasources reach Pyroscope directly or through the Perses server's
// proxy, with credentials in a Secret.
func ExampleProxy() {
	ds := dac.Datasource("shop", "pyroscope",
		dac.Display("Pyroscope"),
		dac.Proxy("http://pyroscope.internal:4040",
			dac.AllowPyroscopeEndpoints(),
			dac.Header("X-Scope-OrgID", "shop"),
			dac.ProxySecret("pyroscope-auth"),
		),
	)
	secret := dac.Secret("shop", "pyroscope-auth", dac.BasicAuthFile("perses", "/run/secrets/pyroscope"))
	for _, r := range []*dac.Resource{ds, secret} {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
	}
	// Output:
	// {"kind":"Datasource","metadata":{"name":"pyroscope","project":"shop"},"spec":{"plugin":{"kind":"PyroscopeDatasource","spec":{"proxy":{"kind":"HTTPProxy","spec":{"url":"http://pyroscope.internal:4040","allowedEndpoints":[{"endpointPattern":"^/pyroscope/render$","method":"GET"},{"endpointPattern":"^/querier\\.v1\\.QuerierService/(ProfileTypes|LabelNames|LabelValues)$","method":"POST"}],"headers":{"X-Scope-OrgID":"shop"},"secret":"pyroscope-auth"}}}},"display":{"name":"Pyroscope"}}}
	// {"kind":"Secret","metadata":{"name":"pyroscope-auth","project":"shop"},"spec":{"basicAuth":{"username":"perses","passwordFile":"/run/secrets/pyroscope"}}}
}

// Misusing a builder is an error at the call that did it; Emit prints it
// and exits with status 1. (pyrobuild reports it at the column, too.)
func ExampleWrite_misuse() {
	api := dac.FlameChart("api", dac.ProfileQuery(dac.ProfileType("cpu")))
	err := dac.Write(os.Stdout, dac.Dashboard("shop", "cpu", dac.Row(0, 8, api)))
	fmt.Println(err)
	// Output:
	// example_test.go:186: dac: Row: perRow is 0; a row holds 1 to 24 panels
}
