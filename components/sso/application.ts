import * as pulumi from "@pulumi/pulumi";
import { Application, type Provider } from "../gitlab/provider";
import { type OAuthScope, validateScopes } from "./consumers";
import { isDnsLabel } from "../validators";
import { baseUrl } from "./endpoints";

/** Name of the GitLab application: shown on GitLab's consent page, unique per stack and consumer. */
export function ssoApplicationName(stack: string, consumer: string): string {
    return `nexora-${stack}-${consumer}`;
}

export interface SsoApplicationArgs {
    /** Catalog key of the consumer, e.g. "outline", "grafana", an app key. */
    readonly consumer: string;
    /** Where GitLab sends users back; build it with `ssoRedirectUrl` from the route table. */
    readonly redirectUrl: string;
    /** The fewest scopes the consumer needs (see `SSO_CONSUMERS`). */
    readonly scopes: readonly OAuthScope[];
    /** gitlab provider holding an admin token (instance-wide applications need one). */
    readonly provider: Provider;
    /** @default pulumi.getStack() */
    readonly stack?: string;
    /**
     * An application that already exists in GitLab (an adopted deployment's): its numeric id, the
     * provider's import ID, and its client secret, which GitLab shows once and the provider never
     * reads back (an imported application's `secret` stays empty).
     */
    readonly existing?: { readonly importId: string; readonly clientSecret: pulumi.Output<string> };
}

/**
 * Resource options of an imported application. The provider reads back name, redirect URL and
 * confidential but not the scopes (GitLab's application list has none), and every one of the
 * four forces replacement, which the engine refuses for a resource that still carries an import
 * ID. So the existing name is kept and the scopes are taken as they are; a different redirect URL
 * or confidentiality shows as a replacement in the adoption's preview, which refuses it before
 * anything is stopped. Retained on delete: the Compose deployment it came from (the way back) uses it too.
 */
export function importedApplicationOptions(importId: string): pulumi.CustomResourceOptions {
    return { import: importId, ignoreChanges: ["name", "scopes"], retainOnDelete: true };
}

/**
 * One confidential GitLab OAuth application for one consumer. Hands out the client id and
 * secret as secrets. A changed redirect URL or scope list replaces the application (GitLab has
 * no update API), which issues a new secret; consumers pick it up through their inputs.
 */
export class SsoApplication extends pulumi.ComponentResource {
    readonly clientId: pulumi.Output<string>;
    readonly clientSecret: pulumi.Output<string>;
    readonly redirectUrl: string;
    readonly scopes: readonly OAuthScope[];
    readonly application: Application;

    constructor(name: string, args: SsoApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before registering anything: a bad declaration must not leave half a component behind.
        if (!isDnsLabel(args.consumer)) {
            throw new Error(`SSO consumer must be a lowercase catalog key (letters, digits, "-"), got ${JSON.stringify(args.consumer)}`);
        }
        // Same parsing as every other URL: rejects fragments, which OAuth forbids in redirect URIs.
        baseUrl(args.redirectUrl, `redirect URL of ${args.consumer}`);
        const scopes = validateScopes(args.scopes, `SSO scopes of ${args.consumer}`);
        super("nexora:sso:Application", name, {}, opts);
        this.scopes = scopes;
        this.redirectUrl = args.redirectUrl;

        this.application = new Application(
            `${name}-app`,
            {
                name: ssoApplicationName(args.stack ?? pulumi.getStack(), args.consumer),
                redirectUrl: args.redirectUrl,
                scopes: [...this.scopes],
                confidential: true,
            },
            {
                parent: this,
                provider: args.provider,
                dependsOn: opts?.dependsOn,
                ...(args.existing ? importedApplicationOptions(args.existing.importId) : {}),
            },
        );
        // Both secret: they travel together into consumers' settings, and the id names the app to guess a secret for.
        this.clientId = pulumi.secret(this.application.applicationId);
        this.clientSecret = pulumi.secret(args.existing ? args.existing.clientSecret : this.application.secret);
        this.registerOutputs({ clientId: this.clientId, clientSecret: this.clientSecret, redirectUrl: this.redirectUrl });
    }
}
