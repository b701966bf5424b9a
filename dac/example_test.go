package dac_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/pyrobuild/pyrobuild/dac"
)

// A dashboards program builds resources and emits them; pyrobuild runs it
// and reads the document. Positions are file:line:col of the calls, here
// of this file.
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
	//   "pyrobuild": 1,
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
	//     "0": "example_test.go:16:7",
	//     "0/metadata/name": "example_test.go:16:15",
	//     "1": "example_test.go:17:7",
	//     "1/metadata/name": "example_test.go:17:25",
	//     "1/metadata/project": "example_test.go:17:17",
	//     "1/spec/panels/api": "example_test.go:19:9",
	//     "1/spec/panels/api/spec/queries": "example_test.go:20:10",
	//     "1/spec/panels/api/spec/queries/0/spec/plugin/spec/profileType": "example_test.go:20:39",
	//     "1/spec/panels/api/spec/queries/0/spec/plugin/spec/query": "example_test.go:20:57",
	//     "1/spec/layouts/0": "example_test.go:18:8"
	//   }
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
// and exits with status 1.
func ExampleWrite_misuse() {
	api := dac.FlameChart("api", dac.ProfileQuery(dac.ProfileType("cpu")))
	err := dac.Write(os.Stdout, dac.Dashboard("shop", "cpu", dac.Row(0, 8, api)))
	fmt.Println(err)
	// Output:
	// example_test.go:169:63: dac: Row: perRow is 0; a row holds 1 to 24 panels
}
