import * as docker from "@pulumi/docker";
import { beforeEach, describe, expect, it } from "vitest";
import { Identity, type IdentityArgs } from "../../components/identity/identity";
import { CADDY_LOCAL_ROOT_CERT } from "../../components/edge/internal-ca";
import { type MockRecorder, outputOf, setupMocks } from "../support/mocks";
import { DOCKER_HOST, dockerProvider, T, testHost, upstreamOf, urnOf } from "./support";

const GITLAB_URL = "https://staging-gitlab.nexora.restry.cn";
const GATE = "identity-public-ready-gate";

let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "staging" });
});

function build(overrides: Partial<IdentityArgs> = {}) {
    const provider = dockerProvider();
    const gitlabContainer = new docker.Container("gitlab", { name: "nexora-staging-gitlab", image: "gitlab/gitlab-ce:18.11.2-ce.0", wait: true }, { provider });
    // Stand-ins for Caddy's reload, a DNS record and the tunnel's apply.
    const reload = new docker.Network("caddy-reload-marker", { name: "m1" }, { provider });
    const dns = new docker.Network("dns-marker", { name: "m2" }, { provider });
    const tunnel = new docker.Network("tunnel-marker", { name: "m3" }, { provider });
    new Identity("identity", {
        host: testHost({ provider }),
        gitlabUrl: GITLAB_URL,
        outlineUrl: "https://staging-outline.nexora.restry.cn",
        gitlabContainer,
        tokenRotation: "1",
        insecureTls: false,
        publicPath: [reload, dns, tunnel],
        apps: [],
        ...overrides,
    });
    return { gitlabContainer, path: [reload, dns, tunnel] };
}

describe("GitLab's public readiness gate", () => {
    it("runs after GitLab and the whole public path, and the gitlab provider waits for it", async () => {
        const { gitlabContainer, path } = build();
        await mocks.settled();
        const gate = mocks.get(T.command, GATE);
        for (const r of [gitlabContainer, ...path]) expect(gate.options.dependencies).toContain(await urnOf(r));
        const provider = mocks.get(T.gitlabProvider, "identity-gitlab");
        expect(provider.options.dependencies).toContain(gate.urn);
        for (const app of mocks.ofType(T.application)) expect(upstreamOf(mocks, app)).toContain(gate.urn);
    });

    it("polls the API over verified TLS on the machine running Pulumi, bounded, re-run for a new GitLab container", async () => {
        const { gitlabContainer } = build();
        await mocks.settled();
        const gate = mocks.get(T.command, GATE);
        expect(gate.inputs.create).toContain(`url='${GITLAB_URL}/api/v4/version'`);
        expect(gate.inputs.create).not.toMatch(/--insecure|\s-k\s|--cacert/);
        expect(gate.inputs.create).toMatch(/deadline=\$\(\( \$\(date \+%s\) \+ 1200 \)\)/);
        expect(gate.inputs.environment).toEqual({ DOCKER_HOST });
        expect(gate.inputs.triggers).toEqual([await outputOf(gitlabContainer.id)]);
        expect(gate.inputs).not.toHaveProperty("update");
    });

    it("trusts Caddy's internal root CA, read from the Caddy container, where the stack uses it", async () => {
        build({ insecureTls: true, caddyContainerName: "nexora-dev-caddy" });
        await mocks.settled();
        const create = mocks.get(T.command, GATE).inputs.create as string;
        expect(create).toContain(`docker exec 'nexora-dev-caddy' cat ${CADDY_LOCAL_ROOT_CERT}`);
        expect(create).toContain(`set -- --cacert "$work/ca.pem"`);
        expect(create).not.toMatch(/--insecure|\s-k\s/);
    });

    it("refuses internal TLS without a Caddy to read the CA from", () => {
        expect(() => build({ insecureTls: true })).toThrow(/caddyContainerName/);
    });
});
