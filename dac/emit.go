package dac

import (
	"fmt"
	"io"
	"os"
	"strconv"
)

// ProtocolVersion is the version of the document Emit writes (its
// "pyrobuild" field). It changes only when a reader of version N could
// misread the document; new optional fields keep the version.
const ProtocolVersion = 1

// Emit writes resources to standard output as a pyrobuild document (see
// the package documentation) and returns. When a builder was misused, or
// writing fails, it prints one "file:line:col: message" line per problem to
// standard error and exits with status 1, writing nothing to standard
// output.
//
// Call it once, at the end of main. pyrobuild runs the program and reads
// the document; run by hand (go run .), the program prints the same
// document, to read or debug.
func Emit(resources ...*Resource) {
	if err := Write(os.Stdout, resources...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Write writes resources to w as a pyrobuild document. When a builder was
// misused it writes nothing and returns an *Error listing every mistake.
func Write(w io.Writer, resources ...*Resource) error {
	at := caller()
	var errs []posError
	for i, r := range resources {
		if r == nil {
			errs = append(errs, posError{at: at, msg: fmt.Sprintf("resource %d of %d is nil", i+1, len(resources))})
			continue
		}
		errs = append(errs, r.errs...)
	}
	if err := errorOf(errs); err != nil {
		return err
	}
	e := &encoder{cols: columns}
	e.buf = append(e.buf, "{\n  \"pyrobuild\": "...)
	e.buf = strconv.AppendInt(e.buf, ProtocolVersion, 10)
	e.buf = append(e.buf, ",\n  \"resources\": ["...)
	for i, r := range resources {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(2)
		e.value(r.v, strconv.Itoa(i), "", 2)
	}
	if len(resources) > 0 {
		e.newline(1)
	}
	e.buf = append(e.buf, "],\n  \"positions\": {"...)
	for i := 0; i < len(e.positions); i += 2 {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(2)
		e.buf = appendString(e.buf, e.positions[i])
		e.buf = append(e.buf, ": "...)
		e.buf = appendString(e.buf, e.positions[i+1])
	}
	if len(e.positions) > 0 {
		e.newline(1)
	}
	e.buf = append(e.buf, "}\n}\n"...)
	_, err := w.Write(e.buf)
	return err
}
