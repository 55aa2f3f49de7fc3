/**
 * The mock engine: a Pulumi mocks recorder shared by `npm run plan` (offline evaluation) and
 * the unit tests (tests/support/mocks.ts re-exports it).
 *
 * `setupMocks()` installs `pulumi.runtime.setMocks` with a `newResource` that records every
 * registration (custom resources, providers and components) and answers with sensible outputs
 * for the resource types this program uses. Tests then assert on the recorded graph: exact type
 * tokens, names, inputs, resource options (provider version, parent, dependencies,
 * additionalSecretOutputs) and whether an input arrived as a secret.
 *
 * Usage:
 * ```ts
 * let mocks: MockRecorder;
 * beforeEach(() => { mocks = setupMocks({ stack: "staging" }); });
 * it("...", async () => {
 *     const c = new MyComponent("x", args);
 *     await outputOf(c.someOutput);          // or: await mocks.settled();
 *     const app = mocks.get("gitlab:index/application:Application", "x-app");
 *     expect(app.inputs.redirectUrl).toBe("https://...");
 *     expect(app.secretInputs).toContain("token");
 *     expect(mocks.plaintextLeaks(secretValue)).toEqual([]);
 * });
 * ```
 *
 * What the mock engine does like the real one:
 * - inputs passed as secrets arrive wrapped (`rawInputs`); `inputs` has them unwrapped;
 * - outputs named in a resource's `additionalSecretOutputs` come back as secrets, and secret
 *   inputs echo back as secret outputs, so `pulumi.isSecret(resource.output)` behaves as deployed;
 * - deterministic values: the same resource name always yields the same generated value
 *   (`mockRandomValue`), so a test can compute a secret and search for it.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * A recorded input value: any shape a resource accepts. Loosely typed on purpose so tests can
 * index into nested inputs (`rec.inputs.environment.DOCKER_HOST`) without casts at every step.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RecordedValue = any;

/** One `registerResource` (or `readResource`) call as the engine saw it. */
export interface RecordedResource {
    /** Type token, e.g. `gitlab:index/application:Application`, `pulumi:providers:gitlab`. */
    readonly type: string;
    /** Logical name (the first constructor argument). */
    readonly name: string;
    /** URN the mock engine assigned; set once the registration completed. */
    urn: string;
    /** True for custom resources and providers, false for components. */
    readonly custom: boolean;
    /** Import / `static get` id, when one was given. */
    readonly id?: string;
    /** Provider reference `urn::id` of an explicit provider, when one was given. */
    readonly provider?: string;
    /** Inputs as the engine received them: secret values are wrapped ({@link isSecretWrapped}). */
    readonly rawInputs: Readonly<Record<string, unknown>>;
    /** Inputs with every secret wrapper removed: for asserting values. */
    readonly inputs: Readonly<Record<string, RecordedValue>>;
    /** Top-level input keys that arrived as secrets (nested secrets mark their top-level key). */
    readonly secretInputs: readonly string[];
    /** Resource options carried by the registration request. */
    readonly options: RecordedOptions;
    /** Outputs the mock answered with (secret ones wrapped). */
    readonly outputs: Readonly<Record<string, unknown>>;
}

export interface RecordedOptions {
    /** Parent URN ("" for the stack). */
    readonly parent: string;
    /** The `version` resource option (the provider plugin version the engine downloads). */
    readonly version: string;
    readonly pluginDownloadUrl: string;
    /** URNs of every resource this one depends on (explicit `dependsOn` plus input dependencies). */
    readonly dependencies: readonly string[];
    /** Per input key, the URNs its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly additionalSecretOutputs: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
    readonly protect: boolean | undefined;
    readonly retainOnDelete: boolean | undefined;
    /** The `aliases` option: each alias's URN, or the name a structured alias gives. */
    readonly aliases: readonly string[];
    /** The `customTimeouts` option ("" where unset). */
    readonly customTimeouts: { readonly create: string; readonly update: string; readonly delete: string };
}

export interface MockOptions {
    /** @default "nexora" */
    readonly project?: string;
    /** @default "dev" */
    readonly stack?: string;
    /** Run as a preview (unknown outputs stay unknown). @default false */
    readonly preview?: boolean;
    /**
     * Extra or overriding outputs per resource; return undefined to keep the defaults.
     * Values listed in the resource's additionalSecretOutputs are still wrapped as secrets.
     */
    readonly outputs?: (resource: Omit<RecordedResource, "outputs" | "urn">) => Record<string, unknown> | undefined;
    /** Answers provider function calls (invokes). @default returns the call's inputs */
    readonly call?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;
}

/** True when a recorded value is a secret as serialized for the engine (the SDK's own test). */
export function isSecretWrapped(value: unknown): boolean {
    return Boolean(pulumi.runtime.isRpcSecret(value));
}

/** Wraps a value the way the engine marks a secret (for mock outputs), with the SDK's signature. */
export function secretWrapped<T>(value: T): { value: T } {
    return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value } as unknown as { value: T };
}

/** Removes every secret wrapper, deeply. */
export function unwrapSecrets(value: unknown): RecordedValue {
    if (isSecretWrapped(value)) return unwrapSecrets(pulumi.runtime.unwrapRpcSecret(value));
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (isPlainObject(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/**
 * Paths (like `environment.TOKEN` or `envs[3]`) of strings that contain `needle` and are NOT
 * inside a secret wrapper, i.e. where the value would be stored and shown in plaintext.
 */
export function findPlaintext(value: unknown, needle: string, path = ""): string[] {
    if (needle === "") throw new Error("findPlaintext: empty needle matches everything");
    if (isSecretWrapped(value)) return [];
    if (typeof value === "string") return value.includes(needle) ? [path || "(value)"] : [];
    if (Array.isArray(value)) return value.flatMap((v, i) => findPlaintext(v, needle, `${path}[${i}]`));
    if (isPlainObject(value)) {
        return Object.entries(value).flatMap(([k, v]) => findPlaintext(v, needle, path ? `${path}.${k}` : k));
    }
    return [];
}

/**
 * The value a generated secret gets under these mocks: letters and digits, derived from the
 * resource name, so a test can compute what to search for. Distinctive enough never to occur
 * by chance in other inputs.
 */
export function mockRandomValue(name: string, length = 16): string {
    let out = "";
    let block = `${name}:${length}`;
    while (out.length < length) {
        block = createHash("sha256").update(block).digest("hex");
        out += block;
    }
    // A leading letter keeps the value a valid identifier-ish token for any consumer.
    return ("R" + out).slice(0, length);
}

/** Deterministic bytes for RandomBytes under mocks. */
export function mockRandomBytes(name: string, length: number): Buffer {
    const chunks: Buffer[] = [];
    let block = Buffer.from(`${name}:bytes`);
    let total = 0;
    while (total < length) {
        block = createHash("sha256").update(block).digest();
        chunks.push(block);
        total += block.length;
    }
    return Buffer.concat(chunks).subarray(0, length);
}

/** Default outputs for the resource types this program declares. Unknown types echo their inputs. */
function defaultOutputs(type: string, name: string, inputs: Record<string, RecordedValue>): Record<string, unknown> {
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString": {
            const result = mockRandomValue(name, Number(inputs.length ?? 16));
            return {
                result,
                // 60-character bcrypt shape: $2a$10$ + 53 characters.
                ...(type.endsWith("RandomPassword") ? { bcryptHash: "$2a$10$" + mockRandomValue(`${name}:bcrypt`, 53) } : {}),
            };
        }
        case "random:index/randomBytes:RandomBytes": {
            const bytes = mockRandomBytes(name, Number(inputs.length ?? 32));
            return { hex: bytes.toString("hex"), base64: bytes.toString("base64") };
        }
        case "random:index/randomId:RandomId": {
            const bytes = mockRandomBytes(name, Number(inputs.byteLength ?? 8));
            return {
                hex: bytes.toString("hex"),
                b64Url: bytes.toString("base64url"),
                b64Std: bytes.toString("base64"),
                dec: BigInt("0x" + bytes.toString("hex")).toString(),
            };
        }
        case "docker:index/container:Container":
        case "docker:index/network:Network":
        case "docker:index/volume:Volume":
            return { name: inputs.name ?? name };
        case "docker:index/remoteImage:RemoteImage":
            return {
                imageId: "sha256:" + mockRandomBytes(`${name}:image`, 32).toString("hex"),
                repoDigest: `${inputs.name ?? name}@sha256:${mockRandomBytes(`${name}:digest`, 32).toString("hex")}`,
            };
        case "command:local:Command":
        case "command:remote:Command":
            return { stdout: "", stderr: "" };
        case "gitlab:index/userRunner:UserRunner":
            return { token: "glrt-" + mockRandomBytes(`${name}:runner-token`, 20).toString("hex") };
        case "gitlab:index/projectDeployToken:ProjectDeployToken":
            return { token: "gldt-" + mockRandomBytes(`${name}:deploy-token`, 20).toString("hex"), username: inputs.username ?? `gitlab+deploy-token-${name}` };
        case "gitlab:index/application:Application":
            return {
                applicationId: "cid" + mockRandomBytes(`${name}:client-id`, 16).toString("hex"),
                secret: "gloas-" + mockRandomBytes(`${name}:client-secret`, 32).toString("hex"),
            };
        default:
            return {};
    }
}

/** GitLab keys groups and projects by number (a project's namespaceId is its group's id): the mock does too. */
const NUMERIC_ID_TYPES = new Set(["gitlab:index/group:Group", "gitlab:index/project:Project"]);
function mockId(type: string, name: string): string {
    return NUMERIC_ID_TYPES.has(type) ? String(mockRandomBytes(`${type}:${name}:id`, 4).readUInt32BE(0) % 1_000_000) : `${name}-id`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** The mock engine's request object: only the getters this recorder reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getVersion?(): string;
    getPlugindownloadurl?(): string;
    getDependenciesList?(): string[];
    getPropertydependenciesMap?(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getAdditionalsecretoutputsList?(): string[];
    getDeletebeforereplace?(): boolean;
    getIgnorechangesList?(): string[];
    getReplaceonchangesList?(): string[];
    getProtect?(): boolean | undefined;
    getRetainondelete?(): boolean | undefined;
    getAliasurnsList?(): string[];
    getAliasesList?(): { getUrn?(): string; getSpec?(): { getName?(): string } | undefined }[];
    getCustomtimeouts?(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
type Callback = (err: unknown, resp?: { getUrn?(): string }) => void;
interface PatchableMonitor {
    registerResource(req: RegisterRequest, cb: Callback): Promise<void>;
    readResource(req: RegisterRequest, cb: Callback): Promise<void>;
}

function optionsOf(req: RegisterRequest | undefined): RecordedOptions {
    const propertyDependencies: Record<string, string[]> = {};
    req?.getPropertydependenciesMap?.().forEach((v, k) => {
        propertyDependencies[k] = v.getUrnsList();
    });
    return {
        parent: req?.getParent() ?? "",
        version: req?.getVersion?.() ?? "",
        pluginDownloadUrl: req?.getPlugindownloadurl?.() ?? "",
        dependencies: req?.getDependenciesList?.() ?? [],
        propertyDependencies,
        additionalSecretOutputs: req?.getAdditionalsecretoutputsList?.() ?? [],
        deleteBeforeReplace: req?.getDeletebeforereplace?.() ?? false,
        ignoreChanges: req?.getIgnorechangesList?.() ?? [],
        replaceOnChanges: req?.getReplaceonchangesList?.() ?? [],
        protect: req?.getProtect?.(),
        retainOnDelete: req?.getRetainondelete?.(),
        aliases: [...(req?.getAliasurnsList?.() ?? []), ...(req?.getAliasesList?.() ?? []).map((a) => a.getUrn?.() || a.getSpec?.()?.getName?.() || "")],
        customTimeouts: {
            create: req?.getCustomtimeouts?.()?.getCreate() ?? "",
            update: req?.getCustomtimeouts?.()?.getUpdate() ?? "",
            delete: req?.getCustomtimeouts?.()?.getDelete() ?? "",
        },
    };
}

/** The recorded graph of one program evaluation. */
export class MockRecorder {
    readonly resources: RecordedResource[] = [];
    /** URNs registered twice: the real engine fails the deployment on the second ("Duplicate resource URN"). */
    readonly duplicateUrns: string[] = [];
    private readonly urns = new Set<string>();

    /** Claims a URN; false (and recorded in duplicateUrns) when it was registered before. */
    claimUrn(urn: string): boolean {
        if (this.urns.has(urn)) {
            this.duplicateUrns.push(urn);
            return false;
        }
        this.urns.add(urn);
        return true;
    }
    /** Registrations sent to the mock engine and not answered yet. */
    pending = 0;

    /** Every recorded resource of a type token. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    find(type: string, name: string): RecordedResource | undefined {
        return this.resources.find((r) => r.type === type && r.name === name);
    }

    /** The one resource of this type and name; throws with what was recorded instead. */
    get(type: string, name: string): RecordedResource {
        const found = this.resources.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1) {
            const seen = this.resources.map((r) => `${r.type} ${r.name}`).join("\n  ");
            throw new Error(`expected exactly one ${type} named "${name}", found ${found.length}; recorded:\n  ${seen}`);
        }
        return found[0];
    }

    byUrn(urn: string): RecordedResource | undefined {
        return this.resources.find((r) => r.urn === urn);
    }

    /** Resources whose parent is the given URN. */
    childrenOf(parentUrn: string): RecordedResource[] {
        return this.resources.filter((r) => r.options.parent === parentUrn);
    }

    /**
     * Every place a string containing `needle` was given to the engine outside a secret:
     * `[{ resource: "type name", path }]`. An empty list means the value only ever travelled as a secret.
     */
    plaintextLeaks(needle: string): { resource: string; path: string }[] {
        return this.resources.flatMap((r) => findPlaintext(r.rawInputs, needle).map((path) => ({ resource: `${r.type} ${r.name}`, path })));
    }

    /**
     * Resolves once registrations have stopped arriving: nothing pending and no new record for
     * several event-loop turns. Prefer awaiting an output of the component under test when there is one.
     */
    async settled(idleTurns = 20): Promise<void> {
        let idle = 0;
        let seen = -1;
        for (let turn = 0; turn < 10_000 && idle < idleTurns; turn++) {
            await new Promise((resolve) => setImmediate(resolve));
            if (this.pending === 0 && this.resources.length === seen) idle++;
            else idle = 0;
            seen = this.resources.length;
        }
    }
}

/**
 * Installs the mocks for the rest of the test file (or until called again) and returns the
 * recorder. Call it in `beforeEach` to start every test from an empty graph.
 */
export function setupMocks(options: MockOptions = {}): MockRecorder {
    const recorder = new MockRecorder();
    // The options of the request being registered: the mock engine calls newResource
    // synchronously from registerResource, before its first await.
    let current: RegisterRequest | undefined;

    const mocks: pulumi.runtime.Mocks = {
        newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
            const req = current;
            current = undefined;
            const rawInputs = (args.inputs ?? {}) as Record<string, unknown>;
            const inputs = unwrapSecrets(rawInputs) as Record<string, RecordedValue>;
            const secretInputs = Object.keys(rawInputs).filter((k) => isSecretWrapped(rawInputs[k]));
            const base = {
                type: args.type,
                name: args.name,
                custom: args.custom ?? false,
                id: args.id || undefined,
                provider: args.provider || undefined,
                rawInputs,
                inputs,
                secretInputs,
                options: optionsOf(req),
            };
            const computed = { ...defaultOutputs(args.type, args.name, inputs), ...(options.outputs?.(base) ?? {}) };
            const aso = new Set(base.options.additionalSecretOutputs);
            const outputs: Record<string, unknown> = { ...rawInputs };
            for (const [k, v] of Object.entries(computed)) {
                outputs[k] = aso.has(k) && !isSecretWrapped(v) ? secretWrapped(v) : v;
            }
            // Secret inputs stay secret in state; ASO marks echoed inputs too.
            for (const k of aso) {
                if (k in outputs && !isSecretWrapped(outputs[k])) outputs[k] = secretWrapped(outputs[k]);
            }
            const record: RecordedResource = { ...base, urn: "", outputs };
            recorder.resources.push(record);
            return { id: args.custom ? args.id || mockId(args.type, args.name) : undefined, state: outputs };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            return options.call ? options.call(args) : (args.inputs as Record<string, unknown>);
        },
    };

    void pulumi.runtime.setMocks(mocks, options.project ?? "nexora", options.stack ?? "dev", options.preview ?? false);

    const monitor = pulumi.runtime.getMonitor() as unknown as PatchableMonitor;
    const wrap = (method: "registerResource" | "readResource") => {
        const original = monitor[method].bind(monitor);
        monitor[method] = (req: RegisterRequest, cb: Callback) => {
            recorder.pending++;
            current = req;
            const before = recorder.resources.length;
            return original(req, (err, resp) => {
                recorder.pending--;
                const record = recorder.resources[before];
                const urn = resp?.getUrn?.();
                if (!err && urn && !recorder.claimUrn(urn)) {
                    cb(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`));
                    return;
                }
                if (record && record.name === req.getName() && urn) record.urn = urn;
                cb(err, resp);
            });
        };
    };
    wrap("registerResource");
    wrap("readResource");
    return recorder;
}

/** The value of an Output (or plain Input) once known. Never resolves for unknowns in a preview. */
export function outputOf<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
    return new Promise((resolve) => {
        pulumi.output(value).apply((v) => {
            resolve(v);
            return v;
        });
    });
}

/** Whether an Output carries the secret flag. */
export function isSecretOutput(value: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(value);
}
