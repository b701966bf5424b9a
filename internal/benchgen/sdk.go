package benchgen

import "fmt"

// The SDK form: the same dashboards written with the Perses CUE SDK
// (module github.com/perses/perses/cue: the dac-utils dashboard and panel
// group builders, the v1 model) and the schemas of the Pyroscope and
// FlameChart plugins, as a user of `percli dac build` writes them. The
// project folder must provide those modules (cue.mod/pkg or the CUE module
// cache; see scripts/bench-compile.sh). The plugin's profile query has no
// label selector field, so the query names the service and filters on the
// environment label: the same selection as the authoring form's selector.

// WriteCUESDK writes n dashboards under dir in the SDK form, plus one
// Pyroscope datasource per team in team-TT/datasource.cue: as many files
// as WriteCUE writes.
func WriteCUESDK(dir string, n int) error {
	return write(dir, n, ".cue", CUESDK, CUESDKDatasource, "datasource")
}

// CUESDKDatasource renders the default Pyroscope datasource of a team's
// project with the Perses CUE SDK and the Pyroscope plugin's schema.
func CUESDKDatasource(project string) string {
	return fmt.Sprintf(`// The Pyroscope datasource of %[1]s.
package team

import (
	v1 "github.com/perses/perses/cue/model/api/v1"
	pyroDatasource "github.com/perses/plugins/pyroscope/schemas/datasource:model"
)

v1.#Datasource & {
	kind: "Datasource"
	metadata: {
		name:    "pyroscope"
		project: %[2]s
	}
	spec: v1.#DatasourceSpec & {
		default: true
		plugin: pyroDatasource & {
			spec: directUrl: "http://pyroscope.monitoring.svc:4040"
		}
	}
}
`, project, cueString(project))
}

// CUESDK renders dashboard d with the Perses CUE SDK: a local panel
// definition unified with the v1 panel model, the FlameChart and
// PyroscopeProfileQuery plugin schemas, laid out by the panel groups
// builder.
func CUESDK(d Dashboard) string {
	return fmt.Sprintf(`// CPU and memory flame graphs of %[1]s.
package dashboards

import (
	v1 "github.com/perses/perses/cue/model/api/v1"
	dashboardBuilder "github.com/perses/perses/cue/dac-utils/dashboard"
	panelGroupsBuilder "github.com/perses/perses/cue/dac-utils/panelgroups"
	flameChart "github.com/perses/plugins/flamechart/schemas:model"
	profileQuery "github.com/perses/plugins/pyroscope/schemas/pyroscope-profile-query:model"
)

// #flame is a flame graph panel showing one profile of one service.
#flame: {
	#title:       string
	#profileType: string
	v1.#Panel & {
		kind: "Panel"
		spec: {
			display: name: #title
			plugin: flameChart & {
				spec: {
					palette:        "package-name"
					showSettings:   true
					showSeries:     false
					showTable:      true
					showFlameGraph: true
				}
			}
			queries: [{
				kind: "ProfileQuery"
				spec: plugin: profileQuery & {
					spec: {
						profileType: #profileType
						service:     %[2]s
						filters: [{labelName: "environment", labelValue: "production", operator: "="}]
					}
				}
			}]
		}
	}
}

dashboardBuilder & {
	#name:    %[2]s
	#project: %[3]s
	#display: {
		name:        "%[1]s profiles"
		description: "CPU and memory of %[1]s in production"
	}
	#duration:        "30m"
	#refreshInterval: "1m"
	#panelGroups: panelGroupsBuilder & {
		#input: [{
			#title:  "%[1]s"
			#cols:   2
			#height: 12
			#panels: [
				#flame & {#title: "CPU of %[1]s", #profileType: "cpu"},
				#flame & {#title: "Memory of %[1]s", #profileType: "memory"},
			]
		}]
	}
}
`, d.Name, cueString(d.Name), cueString(d.Project))
}
