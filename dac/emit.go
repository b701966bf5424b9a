package dac

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/pyrobuild/pyrobuild/internal/dacproto"
)

// ProtocolVersion is the version of the document Emit writes (its
// "pyrobuild" field). It changes only when a reader of version N could
// misread the document; new optional fields keep the version.
const ProtocolVersion = dacproto.Version

// Emit writes resources to standard output as a pyrobuild document (see
// the package documentation) and returns. When a builder was misused it
// writes a document listing the mistakes instead, prints one
// "file:line: message" line per mistake to standard error, and exits with
// status 1; when writing fails, it prints the error and exits with
// status 1.
//
// Call it once, at the end of main. pyrobuild runs the program and reads
// the document; run by hand (go run .), the program prints the same
// document, to read or debug.
func Emit(resources ...*Resource) {
	if err := Write(os.Stdout, resources...); err != nil {
		if e, ok := err.(*Error); ok {
			// For pyrobuild, which finds the mistakes' columns.
			os.Stdout.Write(e.document())
		}
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
			errs = append(errs, newPosError(at, "resource %d of %d is nil", i+1, len(resources)))
			continue
		}
		errs = append(errs, r.errs...)
	}
	if err := errorOf(errs, resources); err != nil {
		return err
	}
	e := &encoder{frames: newFrameTable()}
	for _, r := range resources {
		e.frames.seeValue(r.v)
	}
	e.buf = append(e.buf, "{\n  \"pyrobuild\": "...)
	e.buf = strconv.AppendInt(e.buf, ProtocolVersion, 10)
	e.buf = append(e.buf, ",\n  \"resources\": ["...)
	for i, r := range resources {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(2)
		e.value(r.v, strconv.Itoa(i), pos{}, 2)
	}
	if len(resources) > 0 {
		e.newline(1)
	}
	e.buf = append(e.buf, "],\n  \"positions\": {"...)
	for i, p := range e.positions {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(2)
		e.buf = appendString(e.buf, p.ptr)
		e.buf = append(e.buf, ": "...)
		e.buf = appendStack(e.buf, p.stack)
	}
	if len(e.positions) > 0 {
		e.newline(1)
	}
	e.buf = append(e.buf, '}')
	e.buf = e.frames.appendTail(e.buf)
	_, err := w.Write(e.buf)
	return err
}
