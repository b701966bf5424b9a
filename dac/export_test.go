package dac

// ErrorDocument is the document Emit writes for err's mistakes.
func ErrorDocument(err *Error) []byte { return err.document() }
