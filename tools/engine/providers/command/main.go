// pulumi-resource-command for the e2e only: command:local:Command, as @pulumi/command 1.2.1
// declares it, for the properties this program uses.
//
// Why this exists: the official provider's Go module (github.com/pulumi/pulumi-command/provider)
// is not served by the Go module proxy reachable here (v1.2.1: 404; v1.1.3, v1.0.4: 403), and no
// other download is possible. It keeps the official provider's contract: commands run with
// /bin/sh -c; `triggers` is replace-on-change, every other input change is an update that runs
// `update` (or `create` again when there is no `update`); `delete` runs on delete with the last
// stdout/stderr in PULUMI_COMMAND_STDOUT/STDERR; `logging` picks what reaches Pulumi's log;
// nothing runs during a preview. Users never run this: they install the official provider.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Version is set at build time (-ldflags -X main.Version=...).
var Version = "1.2.1"

type Command struct{}

type CommandArgs struct {
	Create                 *string           `pulumi:"create,optional"`
	Update                 *string           `pulumi:"update,optional"`
	Delete                 *string           `pulumi:"delete,optional"`
	Stdin                  *string           `pulumi:"stdin,optional"`
	Environment            map[string]string `pulumi:"environment,optional"`
	Triggers               []any             `pulumi:"triggers,optional"`
	Logging                *string           `pulumi:"logging,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
	Dir                    *string           `pulumi:"dir,optional"`
	Interpreter            []string          `pulumi:"interpreter,optional"`
}

type CommandState struct {
	CommandArgs
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

func (c *Command) Annotate(a infer.Annotator) {
	a.SetToken("local", "Command")
	a.Describe(c, "A local command (the e2e's stand-in for @pulumi/command's command:local:Command).")
}

func (c *CommandArgs) Annotate(a infer.Annotator) {
	a.Describe(&c.Triggers, "Values whose change replaces the command (runs delete, then create).")
}

func run(ctx context.Context, script string, args CommandArgs, extraEnv []string) (string, string, error) {
	interpreter := args.Interpreter
	if len(interpreter) == 0 {
		interpreter = []string{"/bin/sh", "-c"}
	}
	cmd := exec.CommandContext(ctx, interpreter[0], append(interpreter[1:], script)...)
	if args.Dir != nil {
		cmd.Dir = *args.Dir
	}
	env := os.Environ()
	keys := make([]string, 0, len(args.Environment))
	for k := range args.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+args.Environment[k])
	}
	cmd.Env = append(env, extraEnv...)
	if args.Stdin != nil {
		cmd.Stdin = strings.NewReader(*args.Stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	logOutput(ctx, args, out, errOut)
	if err != nil {
		return out, errOut, fmt.Errorf("command failed: %w", err)
	}
	return out, errOut, nil
}

// logOutput sends what `logging` allows to Pulumi's log, as the official provider does.
func logOutput(ctx context.Context, args CommandArgs, stdout, stderr string) {
	mode := "stdoutAndStderr"
	if args.Logging != nil {
		mode = *args.Logging
	}
	log := p.GetLogger(ctx)
	if stdout != "" && (mode == "stdout" || mode == "stdoutAndStderr") {
		log.Info(stdout)
	}
	if stderr != "" && (mode == "stderr" || mode == "stdoutAndStderr") {
		log.Info(stderr)
	}
}

func (Command) Create(ctx context.Context, req infer.CreateRequest[CommandArgs]) (infer.CreateResponse[CommandState], error) {
	state := CommandState{CommandArgs: req.Inputs}
	id := fmt.Sprintf("%s-%d", req.Name, os.Getpid())
	if req.DryRun || req.Inputs.Create == nil {
		return infer.CreateResponse[CommandState]{ID: id, Output: state}, nil
	}
	out, errOut, err := run(ctx, *req.Inputs.Create, req.Inputs, nil)
	state.Stdout, state.Stderr = out, errOut
	if err != nil {
		return infer.CreateResponse[CommandState]{}, err
	}
	return infer.CreateResponse[CommandState]{ID: id, Output: state}, nil
}

func previousOutputEnv(args CommandArgs, state CommandState) []string {
	if args.AddPreviousOutputInEnv != nil && !*args.AddPreviousOutputInEnv {
		return nil
	}
	return []string{"PULUMI_COMMAND_STDOUT=" + state.Stdout, "PULUMI_COMMAND_STDERR=" + state.Stderr}
}

func (Command) Update(ctx context.Context, req infer.UpdateRequest[CommandArgs, CommandState]) (infer.UpdateResponse[CommandState], error) {
	state := CommandState{CommandArgs: req.Inputs, Stdout: req.State.Stdout, Stderr: req.State.Stderr}
	script := req.Inputs.Update
	if script == nil {
		script = req.Inputs.Create
	}
	if req.DryRun || script == nil {
		return infer.UpdateResponse[CommandState]{Output: state}, nil
	}
	out, errOut, err := run(ctx, *script, req.Inputs, previousOutputEnv(req.Inputs, req.State))
	state.Stdout, state.Stderr = out, errOut
	if err != nil {
		return infer.UpdateResponse[CommandState]{}, err
	}
	return infer.UpdateResponse[CommandState]{Output: state}, nil
}

func (Command) Delete(ctx context.Context, req infer.DeleteRequest[CommandState]) (infer.DeleteResponse, error) {
	if req.State.Delete == nil {
		return infer.DeleteResponse{}, nil
	}
	_, _, err := run(ctx, *req.State.Delete, req.State.CommandArgs, previousOutputEnv(req.State.CommandArgs, req.State))
	return infer.DeleteResponse{}, err
}

// Diff: a change of `triggers` replaces, any other input change is an update in place.
func (Command) Diff(_ context.Context, req infer.DiffRequest[CommandArgs, CommandState]) (infer.DiffResponse, error) {
	diff := map[string]p.PropertyDiff{}
	olds, news := req.State.CommandArgs, req.Inputs
	compare := func(name string, a, b any, kind p.DiffKind) {
		if !reflect.DeepEqual(a, b) {
			diff[name] = p.PropertyDiff{Kind: kind, InputDiff: true}
		}
	}
	compare("triggers", normalize(olds.Triggers), normalize(news.Triggers), p.UpdateReplace)
	compare("create", olds.Create, news.Create, p.Update)
	compare("update", olds.Update, news.Update, p.Update)
	compare("delete", olds.Delete, news.Delete, p.Update)
	compare("stdin", olds.Stdin, news.Stdin, p.Update)
	compare("environment", normalize(olds.Environment), normalize(news.Environment), p.Update)
	compare("logging", olds.Logging, news.Logging, p.Update)
	compare("addPreviousOutputInEnv", olds.AddPreviousOutputInEnv, news.AddPreviousOutputInEnv, p.Update)
	compare("dir", olds.Dir, news.Dir, p.Update)
	compare("interpreter", normalize(olds.Interpreter), normalize(news.Interpreter), p.Update)
	return infer.DiffResponse{HasChanges: len(diff) > 0, DetailedDiff: diff}, nil
}

// normalize treats an empty list or map like an absent one.
func normalize(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || ((rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0) {
		return nil
	}
	return v
}

func main() {
	provider, err := infer.NewProviderBuilder().
		WithNamespace("pulumi").
		WithResources(infer.Resource(Command{})).
		Build()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
	if err := provider.Run(context.Background(), "command", Version); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}
