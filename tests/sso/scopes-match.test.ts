/**
 * GitLab answers `invalid_scope` when a client asks for a scope its OAuth application lacks, and a
 * login silently loses claims when the application grants more than the client asks for. So on a
 * whole evaluated stack, each consumer must request exactly the scopes of its GitLab Application.
 *
 * Mattermost is not covered here: it runs outside the program and gets its settings only through
 * the secret `mattermostOAuth` stack output, which the plan does not record (and only prod has it).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanResource, PlanResult } from "../../tools/plan/evaluate";
import { stackPlan } from "../support/plans";

const STACK = "staging";
const APPLICATION = "gitlab:index/application:Application";
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";

let plan: PlanResult;
beforeAll(async () => {
    plan = await stackPlan(STACK);
});

function only(type: string, name: string): PlanResource {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).toHaveLength(1);
    return found[0]!;
}

/** Scopes the GitLab Application of `consumer` grants, as registered in the plan. */
function applicationScopes(consumer: string): string[] {
    const apps = plan.resources.filter((r) => r.type === APPLICATION && r.plainInputs.name === `nexora-${STACK}-${consumer}`);
    expect(apps, `GitLab Application of ${consumer}`).toHaveLength(1);
    return [...(apps[0]!.plainInputs.scopes as string[])].sort();
}

/** The value of `name` in a container's env list ("KEY=value" entries), in plaintext. */
function containerEnv(containerName: string, name: string): string {
    const envs = only(CONTAINER, containerName).plainInputs.envs as string[];
    const entries = envs.filter((e) => e.startsWith(`${name}=`));
    expect(entries, `${containerName} ${name}`).toHaveLength(1);
    return entries[0]!.slice(name.length + 1);
}

/** A space-separated scope list as OAuth clients are configured, sorted (GitLab ignores the order). */
const requested = (scopeString: string): string[] => scopeString.split(" ").sort();

describe(`SSO consumers of the ${STACK} stack`, () => {
    it("has an application for each consumer the stack runs, and no other", () => {
        const names = plan.resources.filter((r) => r.type === APPLICATION).map((r) => r.plainInputs.name);
        expect(names.sort()).toEqual([`nexora-${STACK}-grafana`, `nexora-${STACK}-outline`, `nexora-${STACK}-portainer`]);
    });

    it("has Outline request exactly the scopes of its application", () => {
        expect(requested(containerEnv("outline-container", "OIDC_SCOPES"))).toEqual(applicationScopes("outline"));
    });

    it("has Grafana request exactly the scopes of its application", () => {
        expect(requested(containerEnv("grafana-container", "GF_AUTH_GITLAB_SCOPES"))).toEqual(applicationScopes("grafana"));
    });

    it("has Portainer request exactly the scopes of its application", () => {
        const environment = only(COMMAND, "identity-portainer-oauth-apply").plainInputs.environment as Record<string, string>;
        const settings = JSON.parse(environment.PORTAINER_SETTINGS!) as { OAuthSettings: { Scopes: string } };
        expect(requested(settings.OAuthSettings.Scopes)).toEqual(applicationScopes("portainer"));
    });
});
