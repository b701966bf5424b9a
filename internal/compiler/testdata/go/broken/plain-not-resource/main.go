// A program printing plain output that is not Perses resources.
package main

import (
	"fmt"

	_ "github.com/pyrobuild/pyrobuild/dac"
)

func main() {
	fmt.Println("dashboards: [cpu")
}
