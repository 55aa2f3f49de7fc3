#!/usr/bin/env bash
# Offline desired-state diff of every stack: `npm run plan -- STACK --json` on the commit
# GitLab diffs the merge request against and on the merge request itself, compared by URN
# and posted as one note per stack. Reaches no state backend and needs no credential
# except, to post, NEXORA_MR_NOTE_TOKEN.
#
# REPORT_STACK names the stack whose counts go to $out/terraform-report.json, the file GitLab's
# merge-request widget reads (one report per job, as the preview job writes for its stack).
#
# usage: offline-diff.sh [REPORT_STACK]       (needs the full history: GIT_DEPTH: "0")
set -euo pipefail
out="${MR_PREVIEW_DIR:-mr-preview}"
stacks="${NEXORA_STACKS:-dev staging prod}"
report_stack="${1:-}"
report_file="$out/terraform-report.json"
base_sha="${CI_MERGE_REQUEST_DIFF_BASE_SHA:?offline-diff.sh runs in merge-request pipelines (CI_MERGE_REQUEST_DIFF_BASE_SHA)}"
base_dir="$(mktemp -d)/base"
mkdir -p "$out"

post=()
if [ -n "${NEXORA_MR_NOTE_TOKEN:-}" ]; then
    post=(--post)
else
    echo "mr-preview: NEXORA_MR_NOTE_TOKEN is not set (fork pipelines get no project variables): notes go to $out/ and this log only."
fi

git cat-file -e "$base_sha^{commit}" 2>/dev/null || git fetch --quiet origin "$base_sha"
git worktree add --quiet --detach "$base_dir" "$base_sha"
trap 'git worktree remove --force "$base_dir" >/dev/null 2>&1 || true' EXIT
# Same lockfile: share the installed modules instead of a second `npm ci`.
if cmp -s package-lock.json "$base_dir/package-lock.json"; then
    ln -s "$PWD/node_modules" "$base_dir/node_modules"
else
    (cd "$base_dir" && npm ci --no-audit --no-fund)
fi

# Writes the plan document of stack $2 evaluated in directory $1 to file $3.
plan() {
    local status=0
    (cd "$1" && npm run --silent plan -- "$2" --json) >"$3" || status=$?
    # 1 means mandatory policy violations: the document is complete and the note shows them.
    [ "$status" -le 1 ]
}

failed=0
for stack in $stacks; do
    if ! plan . "$stack" "$out/plan-head-$stack.json"; then
        echo "mr-preview: the merge request cannot plan stack $stack (see above); no note for it."
        failed=1
        continue
    fi
    if ! plan "$base_dir" "$stack" "$out/plan-base-$stack.json"; then
        echo "mr-preview: the target branch cannot plan stack $stack; no diff to show for it."
        continue
    fi
    report=()
    [ "$stack" != "$report_stack" ] || report=(--terraform-report "$report_file")
    npm run --silent mr-preview -- --offline-base "$out/plan-base-$stack.json" --offline-head "$out/plan-head-$stack.json" \
        --stack "$stack" --out "$out/note-$stack.md" ${report[@]+"${report[@]}"} ${post[@]+"${post[@]}"}
    [ ${#post[@]} -gt 0 ] || cat "$out/note-$stack.md"
done
if [ -n "$report_stack" ] && [ ! -f "$report_file" ]; then
    echo "mr-preview: no offline diff of stack $report_stack, so no $report_file for the merge-request widget."
fi
exit "$failed"
