package main

import "github.com/pyrobuild/pyrobuild/dac"

// flame is a flame graph panel showing one profile type of the services a
// label selector picks.
func flame(key, title, profileType, selector string, opts ...dac.PanelOption) *dac.Panel {
	opts = append([]dac.PanelOption{
		dac.Display(title),
		dac.ProfileQuery(dac.ProfileType(profileType), dac.Query(selector)),
	}, opts...)
	return dac.FlameChart(key, opts...)
}

// cpuDashboard shows the CPU time of the api and the worker side by side.
func cpuDashboard() *dac.Resource {
	return dac.Dashboard(project, "cpu",
		dac.Display("CPU"),
		dac.Duration("30m"),
		dac.Refresh("1m"),
		dac.Row(2, 12,
			flame("api", "api", "cpu", `{service_name="api", environment="production"}`),
			flame("worker", "worker", "cpu", `{service_name="worker", environment="production"}`),
		),
	)
}

// goroutinesDashboard shows the goroutines of the api across the width of
// the screen.
func goroutinesDashboard() *dac.Resource {
	return dac.Dashboard(project, "goroutines",
		dac.Display("Goroutines"),
		dac.Row(1, 14,
			flame("all", "Goroutines of api", "goroutines", `{service_name="api"}`),
		),
	)
}

// memoryDashboard shows the api's heap in a section of its own: the bytes
// in use, and the bytes allocated coloured by value with their time series.
func memoryDashboard() *dac.Resource {
	allocs := dac.FlameChart("allocs",
		dac.Display("Bytes allocated"),
		dac.Palette(dac.PaletteValue),
		dac.ShowSeries(true),
		dac.ProfileQuery(
			dac.ProfileType("alloc_space"),
			dac.Query(`{service_name="api", environment=~"prod.*"}`),
			dac.MaxNodes(1024),
		),
	)
	return dac.Dashboard(project, "memory",
		dac.Display("Memory"),
		dac.Duration("1h"),
		dac.Grid(
			dac.Title("Heap"),
			dac.Row(2, 10,
				flame("inuse", "Memory in use", "memory", `{service_name="api", environment="production"}`),
				allocs,
			),
		),
	)
}
