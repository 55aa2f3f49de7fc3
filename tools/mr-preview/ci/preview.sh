#!/usr/bin/env bash
# Merge-request job: `pulumi preview --diff` with the policy pack for one stack, its note
# posted on the merge request and its counts written for GitLab's Terraform widget.
# Without backend credentials it posts the offline desired-state diff instead: protected
# variables never reach merge-request pipelines of unprotected branches, and fork
# pipelines get no project variables at all.
#
# usage: preview.sh STACK      (environment: the CI_* variables of a merge-request pipeline)
set -euo pipefail
stack="${1:?usage: preview.sh STACK}"
out="${MR_PREVIEW_DIR:-mr-preview}"
mkdir -p "$out"

if [ -z "${PULUMI_BACKEND_URL:-}" ] || [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ]; then
    echo "mr-preview: PULUMI_BACKEND_URL or PULUMI_CONFIG_PASSPHRASE is not available to this pipeline;"
    echo "mr-preview: posting the offline desired-state diff of every stack instead of a preview."
    # Its counts for this stack feed the widget, at the same path as a preview's.
    exec bash "$(dirname "$0")/offline-diff.sh" "$stack"
fi

post=()
if [ -n "${NEXORA_MR_NOTE_TOKEN:-}" ]; then
    post=(--post)
else
    echo "mr-preview: NEXORA_MR_NOTE_TOKEN is not set: the note goes to $out/note-$stack.md and this log only."
fi

# The engine's events (every step plus the policy results, which the `--json` digest leaves
# out) as NDJSON: `--json` streams them when PULUMI_ENABLE_STREAMING_JSON_PREVIEW is set. The CLI
# has no `--event-log` flag (pulumi 3.276 refuses it: found on the real engine by the e2e).
status=0
PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview --stack "$stack" --json --non-interactive \
    --policy-pack policies >"$out/preview-events-$stack.ndjson" || status=$?

npm run --silent mr-preview -- --events "$out/preview-events-$stack.ndjson" --stack "$stack" \
    --out "$out/note-$stack.md" --terraform-report "$out/terraform-report.json" ${post[@]+"${post[@]}"}
[ ${#post[@]} -gt 0 ] || cat "$out/note-$stack.md"

# A failed preview (mandatory policy violation, program error) still gets its note, then fails the job.
exit "$status"
