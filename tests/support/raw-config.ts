/**
 * A valid prod-like raw config, as the engine hands it to the program (strings, objects as JSON):
 * DNS and the tunnel on, no apps. `overrides` replace keys; an undefined override removes the key.
 */
export function prodLikeRaw(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const raw: Record<string, string | undefined> = {
        environment: "prod",
        dockerHost: "ssh://deploy@192.168.31.141",
        tls: "acme",
        acmeEmail: "ops@restry.cn",
        edgeSubnet: "172.30.10.0/24",
        dataSubnet: "172.30.11.0/24",
        dnsEnabled: "true",
        relayAddress: "40.162.94.187",
        tunnelEnabled: "true",
        frpServerAddr: "40.162.94.187",
        sshRemotePort: "2222",
        frpToken: "a-strong-relay-token-value-123456",
        ...overrides,
    };
    return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
