package bundle

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// yamlTrickyStrings are strings YAML gives a meaning to, or that come close.
var yamlTrickyStrings = []string{
	"", " ", "a", "a b", "a  b", "a ", " a", "true", "True", "false", "null", "Null", "~", "yes", "no", "on", "Off",
	"y", "n", "1", "-1", "1.5", "1e3", "0x10", "0o7", ".inf", "-.inf", ".nan", "1_000", "1:30", "12:30:45",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "#/spec/panels/cpu", "$ref", "$ds", "http://pyroscope:4040",
	"process_cpu:cpu:nanoseconds:cpu:nanoseconds", "a: b", "a #b", "a#b", "a:b", "-a", "- a", "--- a", "...",
	"? a", ":a", "[a]", "{a}", "a,b", "'a'", `"a"`, "a'b", `a"b`, "&a", "*a", "!a", "|a", ">a", "%a", "@a", "`a",
	"a\tb", "a\nb", "a\n", "\n", "é", "日本語", "a\u00a0b", "a\x00b", "\x7f", "a\u2028b", "svc-00042", "Service 640",
	"{service_name=\"api\", env=\"prod\"}", "=~", "a=b", "a@b", "a+b", "a (b)", "a(b)", "1h30m", "0", "00", "+1",
	string(make([]byte, 130)), "k" + string(bytes.Repeat([]byte("x"), 130)), "a\\b", "a/b", "./a", "../a", "a.b.c",
	"NaN", "nan", "Inf", "inf", "e", "E", "0.", ".5", "-", "--", "=", "<<", "a<<b",
}

func randomTree(r *rand.Rand, depth int) *model.Node {
	scalar := func() *model.Node {
		switch r.IntN(6) {
		case 0:
			return &model.Node{Kind: model.NumberKind, Value: []string{"0", "1", "-3", "24", "1.5", "2e3", "10.25"}[r.IntN(7)]}
		case 1:
			return &model.Node{Kind: model.BoolKind, Value: []string{"true", "false"}[r.IntN(2)]}
		case 2:
			return &model.Node{Kind: model.NullKind}
		default:
			return &model.Node{Kind: model.StringKind, Value: yamlTrickyStrings[r.IntN(len(yamlTrickyStrings))]}
		}
	}
	if depth > 4 || r.IntN(3) == 0 {
		return scalar()
	}
	if r.IntN(2) == 0 {
		n := &model.Node{Kind: model.ListKind, Items: []*model.Node{}}
		for range r.IntN(4) {
			n.Items = append(n.Items, randomTree(r, depth+1))
		}
		return n
	}
	n := &model.Node{Kind: model.MapKind}
	for i := range r.IntN(4) {
		k := yamlTrickyStrings[r.IntN(len(yamlTrickyStrings))]
		if r.IntN(2) == 0 {
			k = []string{"kind", "spec", "metadata", "x", "y", "items", "name"}[r.IntN(7)]
		}
		k += string(rune('a' + i)) // keys of one map differ
		n.Keys = append(n.Keys, k)
		n.Vals = append(n.Vals, randomTree(r, depth+1))
	}
	return n
}

// TestYAMLFastMatchesYAMLv3: the fast writer's bytes equal yaml.v3's for
// random trees built from strings YAML treats specially, and for every
// resource of the golden outputs.
func TestYAMLFastMatchesYAMLv3(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for i := range 20000 {
		n := randomTree(r, 0)
		var b bytes.Buffer
		if !writeYAMLFast(&b, n) {
			continue
		}
		fast++
		if want := encodeYAMLv3(n); !bytes.Equal(b.Bytes(), want) {
			t.Fatalf("tree %d:\nfast:\n%q\nyaml.v3:\n%q", i, b.Bytes(), want)
		}
	}
	if fast < 5000 {
		t.Errorf("only %d of 20000 trees took the fast path", fast)
	}
	var files []string
	filepath.WalkDir(filepath.Join("testdata", "golden", "yaml"), func(p string, d os.DirEntry, err error) error {
		if err == nil && filepath.Ext(p) == ".yaml" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 10 {
		t.Fatal("no golden YAML files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, d := compiler.ParseYAML(model.NewSource(f, data))
		if d != nil {
			t.Fatalf("%s: %v", f, d)
		}
		for _, doc := range docs {
			var b bytes.Buffer
			if !writeYAMLFast(&b, doc) {
				t.Errorf("%s: the fast writer declines a golden file", f)
				continue
			}
			if want := encodeYAMLv3(doc); !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s:\nfast:\n%s\nyaml.v3:\n%s", f, b.Bytes(), want)
			}
		}
	}
}

func FuzzYAMLFast(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		n := randomTree(rand.New(rand.NewPCG(a, b)), 0)
		var buf bytes.Buffer
		if writeYAMLFast(&buf, n) {
			if want := encodeYAMLv3(n); !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("fast:\n%s\nyaml.v3:\n%s", buf.Bytes(), want)
			}
		}
	})
}

// FuzzYAMLFastString: any string, as a key, a value and a list item, is
// written as yaml.v3 writes it.
func FuzzYAMLFastString(f *testing.F) {
	for _, s := range yamlTrickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := &model.Node{Kind: model.MapKind, Keys: []string{s, "v"}, Vals: []*model.Node{
			{Kind: model.StringKind, Value: s},
			{Kind: model.ListKind, Items: []*model.Node{{Kind: model.StringKind, Value: s}, {Kind: model.MapKind, Keys: []string{s}, Vals: []*model.Node{{Kind: model.StringKind, Value: s}}}}},
		}}
		var buf bytes.Buffer
		if writeYAMLFast(&buf, n) {
			if want := encodeYAMLv3(n); !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("%q:\nfast:\n%q\nyaml.v3:\n%q", s, buf.Bytes(), want)
			}
		}
	})
}

// BenchmarkEncodeYAML writes the golden dashboards with the fast writer and
// with yaml.v3.
func BenchmarkEncodeYAML(b *testing.B) {
	var docs []*model.Node
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "yaml", "projects", "*", "dashboards", "*.yaml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		ns, d := compiler.ParseYAML(model.NewSource(f, data))
		if d != nil {
			b.Fatal(d)
		}
		docs = append(docs, ns...)
	}
	if len(docs) == 0 {
		b.Fatal("no golden dashboards")
	}
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			for _, n := range docs {
				Encode(n, YAML)
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		for b.Loop() {
			for _, n := range docs {
				encodeYAMLv3(n)
			}
		}
	})
}

// TestIsSafePlainMatchesRegexp holds isSafePlain and yaml11Word to the
// regular expressions they stand for, on every string of up to four bytes
// over the characters that matter, and on longer random ones.
func TestIsSafePlainMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_./=@+-]*(?: [A-Za-z0-9_./=@+()-]+)*$`)
	const alphabet = "aZy0_./=@+-() #:'\"\t\xc3é"
	check := func(s string) {
		if got, want := isSafePlain(s), re.MatchString(s); got != want {
			t.Fatalf("isSafePlain(%q) = %v, the regexp says %v", s, got, want)
		}
		if isSafePlain(s) && yaml11Word(s) != yaml11Ambiguous().MatchString(s) {
			t.Fatalf("yaml11Word(%q) = %v, yaml11Ambiguous says %v", s, yaml11Word(s), !yaml11Word(s))
		}
	}
	var walk func(prefix string, n int)
	walk = func(prefix string, n int) {
		check(prefix)
		if n == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			walk(prefix+alphabet[i:i+1], n-1)
		}
	}
	walk("", 4)
	for _, w := range []string{"y", "Yes", "NO", "on", "Off", "yess", "of"} {
		check(w)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, 5+r.IntN(30))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		check(string(b))
	}
}
