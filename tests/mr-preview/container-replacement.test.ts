// Which replaced containers the note calls downtime: the delete-first ones (data stores and other
// fixed-name containers, components/docker/service.ts), not the health-gated releases of the apps
// and the portal (components/docker/release.ts), which start beside the old container.
import { describe, expect, it } from "vitest";
import { CONTAINER_TYPE, RELEASING_COMPONENT_TYPES, containerReplacement } from "../../tools/mr-preview/classify";
import { PreviewReport, PreviewStep, parseUrn } from "../../tools/mr-preview/model";
import { mergeReports, parseEngineEvents, parsePreviewDigest } from "../../tools/mr-preview/parse";
import { renderPreviewNote } from "../../tools/mr-preview/render-note";
import { evaluateStack } from "../../tools/plan/evaluate";
import { stackFileConfig } from "../support/stacks";
import { readFixture } from "./fixtures";

const fullReport = () => mergeReports(parsePreviewDigest(readFixture("preview-staging.json")), parseEngineEvents(readFixture("preview-staging.events.ndjson")));
const render = (report: PreviewReport) => renderPreviewNote(report, { stack: "staging" }).body;
const fixtureStep = (name: string): PreviewStep => {
    const step = fullReport().steps.find((s) => s.name === name);
    if (!step) throw new Error(`the staging fixture has no step ${name}`);
    return step;
};

const PLATFORM = "urn:pulumi:staging::nexora::nexora:platform:Platform";
/** A replaced container (or release id) under a component of type `component` named `parent`. */
function replaced(name: string, component: string, parent: string, type = CONTAINER_TYPE): PreviewStep {
    const parentUrn = `${PLATFORM}$${component}::${parent}`;
    const state = { type, urn: "", parent: parentUrn, protect: false, retainOnDelete: false, inputs: { name: `nexora-staging-${parent}` }, outputs: {} };
    return {
        op: "replace",
        urn: `${PLATFORM}$${component}$${type}::${name}`,
        type,
        name,
        oldState: { ...state },
        newState: { ...state },
        diffReasons: ["image"],
        replaceReasons: ["image"],
        detailedDiff: [{ path: "image", kind: "update-replace", inputDiff: false }],
    };
}
const caddy = () => replaced("caddy-container", "nexora:edge:Caddy", "caddy");

const RELEASE_TEXT = "health-gated release: the new container starts beside the old one, which serves until the new one passes its health check (no downtime)";
const DELETE_FIRST_TEXT = "**delete-first: the old container stops before the new one starts (downtime for its service)**";

describe("containerReplacement", () => {
    it("calls the staging fixture's hjhs container a release, and nothing else there a container replacement", () => {
        const steps = fullReport().steps;
        expect(steps.filter((s) => containerReplacement(s, steps) !== undefined).map((s) => `${s.name}: ${containerReplacement(s, steps)}`)).toEqual([
            "app-hjhs-container: release",
        ]);
    });

    it("calls a fixed-name container delete-first, and a deleted or updated container neither", () => {
        expect(containerReplacement(caddy(), [caddy()])).toBe("delete-first");
        expect(containerReplacement({ ...caddy(), op: "delete" }, [])).toBeUndefined();
        expect(containerReplacement({ ...caddy(), op: "update" }, [])).toBeUndefined();
        // Halves of a replacement (--show-replacement-steps) are replacements too.
        expect(containerReplacement({ ...caddy(), op: "create-replacement" }, [])).toBe("delete-first");
    });

    it("calls a container released when its component releases, or when the preview renews its own release id", () => {
        expect(containerReplacement(replaced("portal-container", "nexora:portal:Portal", "portal"), [])).toBe("release");
        expect(containerReplacement(replaced("app-shop-container", "nexora:apps:BusinessApp", "app-shop"), [])).toBe("release");
        const other = replaced("wiki-container", "nexora:wiki:Wiki", "wiki");
        const release = replaced("wiki-release", "nexora:wiki:Wiki", "wiki", "random:index/randomId:RandomId");
        expect(containerReplacement(other, [other, release])).toBe("release");
        expect(containerReplacement(other, [other])).toBe("delete-first");
        // Another component's release id, or a release id that stays, says nothing about this container.
        expect(containerReplacement(other, [other, replaced("wiki-release", "nexora:other:Other", "wiki", "random:index/randomId:RandomId")])).toBe(
            "delete-first",
        );
        expect(containerReplacement(other, [other, { ...release, op: "create" }])).toBe("delete-first");
    });
});

describe("the note on container replacements", () => {
    it("says the staging fixture's only replaced container is a release without downtime", () => {
        const note = render(fullReport());
        expect(note).not.toContain("delete-before-create");
        expect(note).not.toContain("**Downtime:**");
        expect(note).toContain(
            "> ⚠️ **12 resources will be deleted or replaced.** **No downtime:** 1 released container (business apps, the portal) is replaced create-first behind a health gate: the old one serves until the new one passes its health check and Caddy switches to it.\n",
        );
        expect(note).toContain(
            `> - ♻️ replace \`app-hjhs-container\` · \`docker:index/container:Container\` · forced by \`image\`, \`name\` · ${RELEASE_TEXT}\n`,
        );
        expect(note).toContain(
            `<summary>♻️ <code>app-hjhs-container</code> · <code>docker:index/container:Container</code> · forced by <code>image</code>, <code>name</code> · ${RELEASE_TEXT}</summary>`,
        );
        // Only the container: its release id, gate and switch say what they say, the deleted runner container nothing.
        expect(note.split(RELEASE_TEXT)).toHaveLength(3);
        expect(note).not.toMatch(/`gitlab-runner-container`[^\n]*(downtime|delete-first|release)/);
    });

    it("names the delete-first replacements as downtime and the releases apart", () => {
        const steps = [caddy(), fixtureStep("app-hjhs-container"), fixtureStep("app-hjhs-release")];
        const note = render({ ...fullReport(), steps, changeSummary: { replace: 3, same: 40 }, policyViolations: [], diagnostics: [] });
        expect(note).toContain(
            "> ⚠️ **3 resources will be deleted or replaced.** **Downtime:** 1 container (data stores and other fixed-name services) is replaced delete-first: the old one stops before the new one starts. **No downtime:** 1 released container (business apps, the portal) is replaced create-first behind a health gate: the old one serves until the new one passes its health check and Caddy switches to it.\n",
        );
        expect(note).toContain(`> - ♻️ replace \`caddy-container\` · \`docker:index/container:Container\` · forced by \`image\` · ${DELETE_FIRST_TEXT}\n`);
        expect(note).toContain(
            "<summary>♻️ <code>caddy-container</code> · <code>docker:index/container:Container</code> · forced by <code>image</code> · <b>delete-first: the old container stops before the new one starts (downtime for its service)</b></summary>",
        );
        expect(note).toContain(
            `> - ♻️ replace \`app-hjhs-container\` · \`docker:index/container:Container\` · forced by \`image\`, \`name\` · ${RELEASE_TEXT}\n`,
        );
    });

    it("counts several delete-first containers, a data store among them, in the plural", () => {
        const postgres = replaced("postgres-container", "nexora:postgres:Postgres", "postgres");
        const note = render({ ...fullReport(), steps: [caddy(), postgres], changeSummary: { replace: 2, same: 40 }, policyViolations: [], diagnostics: [] });
        expect(note).toContain("**Downtime:** 2 containers (data stores and other fixed-name services) are replaced delete-first");
        expect(note).not.toContain("**No downtime:**");
        // The data store is in the data-loss block, with its downtime.
        expect(note).toMatch(/🛑[^\n]*\n[\s\S]*`postgres-container`[^\n]*\*\*delete-first: [^\n]*\*\* · \*\*data-bearing/);
    });
});

describe("the program's containers", () => {
    // The rule by component type is a contract with the program: a container is created with
    // deleteBeforeReplace false exactly where its component releases it, beside its release id.
    it.each(["dev", "staging", "prod"])("of %s are replaced create-first exactly under the releasing components, each beside a release id", async (stack) => {
        const result = await evaluateStack({ stack, config: stackFileConfig(stack) });
        const containers = result.recorder.resources.filter((r) => r.type === CONTAINER_TYPE);
        expect(containers.length).toBeGreaterThan(5);
        for (const c of containers) {
            const component = parseUrn(c.urn).parentTypes.at(-1) ?? "";
            expect(!c.options.deleteBeforeReplace, `${c.urn}: created first`).toBe(RELEASING_COMPONENT_TYPES.includes(component));
            const release = result.recorder.resources.find(
                (r) =>
                    r.type === "random:index/randomId:RandomId" &&
                    r.name === c.name.replace(/-container$/, "-release") &&
                    r.options.parent === c.options.parent,
            );
            expect(release !== undefined, `${c.urn}: a release id beside it`).toBe(!c.options.deleteBeforeReplace);
        }
    });
});
