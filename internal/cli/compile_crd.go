package cli

import (
	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/bundle/crd"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// crdObjects converts the compiled resources to Perses operator custom
// resources when --crd asks for them (compile --crd writes them, check
// --crd only checks them) and the sources have no error; what the
// conversion reports joins the compilation's diagnostics (warnings as
// errors with --strict).
func crdObjects(o *compileOptions, res *compiler.Result) []*model.Resource {
	if !o.crd || res.Diagnostics.HasErrors() {
		return nil
	}
	sel, _ := crd.ParseSelector(o.instanceSelector) // checked by runCompile
	crs, diags := crd.ConvertWith(res.Resources, crd.Options{InstanceSelector: sel})
	if o.strict {
		for i := range diags {
			if diags[i].Severity == diag.Warning {
				diags[i].Severity = diag.Error
			}
		}
	}
	res.Diagnostics = append(res.Diagnostics, diags...)
	res.Diagnostics.Sort()
	return crs
}

// writeCompiled replaces the output folder with the Perses resources, or
// with the custom resources made from them under --crd.
// It reports false when the folder already held this very output
// (bundle.WriteOutputKeyed) and was left alone.
func writeCompiled(o *compileOptions, res *compiler.Result, crs []*model.Resource, format bundle.Format) (bool, error) {
	files := bundle.Files(o.resourceFiles)
	if o.crd {
		bundle.ForgetOutput(o.output, bundle.OutputStampDir(o.env.cacheRoot))
		return true, crd.WriteOutput(o.output, crs, format, files)
	}
	return bundle.WriteOutputKeyed(o.output, res.Resources, format, files, bundle.OutputKey(res, format), bundle.OutputStampDir(o.env.cacheRoot))
}
