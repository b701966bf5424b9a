// A program written against a newer SDK than this pyrobuild reads.
package main

import (
	"fmt"

	_ "github.com/pyrobuild/pyrobuild/dac"
)

func main() {
	fmt.Println(`{"pyrobuild": 3, "resources": [], "positions": {}}`)
}
