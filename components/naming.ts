/**
 * Physical names on the shared Docker host. Every name carries the stack, so several stacks
 * on one host never collide; logical (URN) names need no stack because URNs already carry it.
 */
export function dockerName(stack: string, ...parts: string[]): string {
    return ["nexora", stack, ...parts].join("-");
}

/** Labels every container and volume carries: which stack and service own it. */
export function ownerLabels(stack: string, service: string, role: ServiceRole): { label: string; value: string }[] {
    return [
        { label: "nexora.stack", value: stack },
        { label: "nexora.service", value: service },
        { label: "nexora.role", value: role },
        { label: "nexora.managed-by", value: "pulumi" },
    ];
}

/** datastore: holds data, internal network only. platform: a Nexora service. app: a business app. edge: Caddy/FRP. */
export type ServiceRole = "datastore" | "platform" | "app" | "edge";

/**
 * The logical name of an app's generated secret: "<component>-<env name in kebab case>"
 * (app-ledger + SECRET_KEY -> app-ledger-secret-key). Config validation uses the same function to
 * refuse two apps whose secrets would get one name (ledger + A_KEY and ledger-a + KEY).
 */
export function generatedSecretName(componentName: string, envName: string): string {
    return `${componentName}-${envName.toLowerCase().replace(/_/g, "-")}`;
}
