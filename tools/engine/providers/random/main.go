// pulumi-resource-random for the e2e only: RandomPassword and RandomBytes, as @pulumi/random
// 4.21.2 declares them, for the properties this program uses.
//
// Why this exists: the official provider's Go module (github.com/pulumi/pulumi-random/provider/v4)
// is refused by the Go module proxy reachable here (v4.21.2: 403), and no other download is
// possible. It keeps the official provider's contract: every input change replaces the resource
// (a new value is generated), `result`/`bcryptHash`/`base64`/`hex` are secret outputs, the
// character classes and minimums of terraform-provider-random, values from crypto/rand. Users
// never run this: they install the official provider.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"golang.org/x/crypto/bcrypt"
)

// Version is set at build time (-ldflags -X main.Version=...).
var Version = "4.21.2"

// Character classes of terraform-provider-random's string generator.
const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

type RandomPassword struct{}

type RandomPasswordArgs struct {
	Length          int               `pulumi:"length"`
	Special         *bool             `pulumi:"special,optional"`
	Upper           *bool             `pulumi:"upper,optional"`
	Lower           *bool             `pulumi:"lower,optional"`
	Numeric         *bool             `pulumi:"numeric,optional"`
	MinLower        *int              `pulumi:"minLower,optional"`
	MinUpper        *int              `pulumi:"minUpper,optional"`
	MinNumeric      *int              `pulumi:"minNumeric,optional"`
	MinSpecial      *int              `pulumi:"minSpecial,optional"`
	OverrideSpecial *string           `pulumi:"overrideSpecial,optional"`
	Keepers         map[string]string `pulumi:"keepers,optional"`
}

type RandomPasswordState struct {
	RandomPasswordArgs
	Result     string `pulumi:"result" provider:"secret"`
	BcryptHash string `pulumi:"bcryptHash" provider:"secret"`
}

func (r *RandomPassword) Annotate(a infer.Annotator) {
	a.SetToken("index/randomPassword", "RandomPassword")
}

func flag(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func count(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func pick(set string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, err
	}
	return set[i.Int64()], nil
}

// generate follows terraform-provider-random: the minimums first, the rest from every enabled
// class, then a uniform shuffle.
func generate(a RandomPasswordArgs) (string, error) {
	special := specialChars
	if a.OverrideSpecial != nil {
		special = *a.OverrideSpecial
	}
	classes := []struct {
		on  bool
		set string
		min int
	}{
		{flag(a.Lower, true), lowerChars, count(a.MinLower)},
		{flag(a.Upper, true), upperChars, count(a.MinUpper)},
		{flag(a.Numeric, true), numericChars, count(a.MinNumeric)},
		{flag(a.Special, true), special, count(a.MinSpecial)},
	}
	var all strings.Builder
	var out []byte
	for _, c := range classes {
		if !c.on || c.set == "" {
			continue
		}
		all.WriteString(c.set)
		for i := 0; i < c.min; i++ {
			b, err := pick(c.set)
			if err != nil {
				return "", err
			}
			out = append(out, b)
		}
	}
	if all.Len() == 0 {
		return "", fmt.Errorf("length: no character class is enabled")
	}
	if len(out) > a.Length {
		return "", fmt.Errorf("length %d is shorter than the sum of the minimums (%d)", a.Length, len(out))
	}
	for len(out) < a.Length {
		b, err := pick(all.String())
		if err != nil {
			return "", err
		}
		out = append(out, b)
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func (RandomPassword) Create(_ context.Context, req infer.CreateRequest[RandomPasswordArgs]) (infer.CreateResponse[RandomPasswordState], error) {
	state := RandomPasswordState{RandomPasswordArgs: req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[RandomPasswordState]{ID: "none", Output: state}, nil
	}
	result, err := generate(req.Inputs)
	if err != nil {
		return infer.CreateResponse[RandomPasswordState]{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(result), bcrypt.DefaultCost)
	if err != nil {
		return infer.CreateResponse[RandomPasswordState]{}, err
	}
	state.Result, state.BcryptHash = result, string(hash)
	return infer.CreateResponse[RandomPasswordState]{ID: "none", Output: state}, nil
}

func (RandomPassword) Diff(_ context.Context, req infer.DiffRequest[RandomPasswordArgs, RandomPasswordState]) (infer.DiffResponse, error) {
	return replaceOnAnyChange(req.State.RandomPasswordArgs, req.Inputs), nil
}

type RandomBytes struct{}

type RandomBytesArgs struct {
	Length  int               `pulumi:"length"`
	Keepers map[string]string `pulumi:"keepers,optional"`
}

type RandomBytesState struct {
	RandomBytesArgs
	Base64 string `pulumi:"base64" provider:"secret"`
	Hex    string `pulumi:"hex" provider:"secret"`
}

func (r *RandomBytes) Annotate(a infer.Annotator) {
	a.SetToken("index/randomBytes", "RandomBytes")
}

func (RandomBytes) Create(_ context.Context, req infer.CreateRequest[RandomBytesArgs]) (infer.CreateResponse[RandomBytesState], error) {
	state := RandomBytesState{RandomBytesArgs: req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[RandomBytesState]{ID: "none", Output: state}, nil
	}
	buf := make([]byte, req.Inputs.Length)
	if _, err := rand.Read(buf); err != nil {
		return infer.CreateResponse[RandomBytesState]{}, err
	}
	state.Base64, state.Hex = base64.StdEncoding.EncodeToString(buf), hex.EncodeToString(buf)
	return infer.CreateResponse[RandomBytesState]{ID: "none", Output: state}, nil
}

func (RandomBytes) Diff(_ context.Context, req infer.DiffRequest[RandomBytesArgs, RandomBytesState]) (infer.DiffResponse, error) {
	return replaceOnAnyChange(req.State.RandomBytesArgs, req.Inputs), nil
}

// replaceOnAnyChange: like the official provider, a random value never changes in place.
func replaceOnAnyChange(olds, news any) infer.DiffResponse {
	diff := map[string]p.PropertyDiff{}
	ov, nv := reflect.ValueOf(olds), reflect.ValueOf(news)
	for i := 0; i < ov.NumField(); i++ {
		field := ov.Type().Field(i)
		a, b := ov.Field(i).Interface(), nv.Field(i).Interface()
		if !reflect.DeepEqual(a, b) && !(emptyish(a) && emptyish(b)) {
			name := strings.Split(field.Tag.Get("pulumi"), ",")[0]
			diff[name] = p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true}
		}
	}
	return infer.DiffResponse{HasChanges: len(diff) > 0, DetailedDiff: diff, DeleteBeforeReplace: false}
}

func emptyish(v any) bool {
	rv := reflect.ValueOf(v)
	return !rv.IsValid() || (rv.Kind() == reflect.Map && rv.Len() == 0) || (rv.Kind() == reflect.Ptr && rv.IsNil())
}

func main() {
	provider, err := infer.NewProviderBuilder().
		WithNamespace("pulumi").
		WithResources(infer.Resource(RandomPassword{}), infer.Resource(RandomBytes{})).
		Build()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
	if err := provider.Run(context.Background(), "random", Version); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}
