// The change counts GitLab's merge-request widget reads from `artifacts: reports: terraform:`.
//
// A replacement counts as one create plus one delete. That is how Terraform's plan JSON
// lists a replacement (actions ["delete", "create"]) and how GitLab's own Terraform
// template turns a plan into this report, so the widget means what its users expect;
// the note's header still counts replacements separately.

export interface TerraformReport {
    readonly create: number;
    readonly update: number;
    readonly delete: number;
}

export function terraformReport(counts: Readonly<Record<string, number>>): TerraformReport {
    const n = (op: string) => counts[op] ?? 0;
    // Imports adopt what already exists and reads only look: neither changes infrastructure.
    return {
        create: n("create") + n("replace"),
        update: n("update"),
        delete: n("delete") + n("replace"),
    };
}
