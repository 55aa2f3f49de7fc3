// The hostile stack files: what an attacker or a careless operator would write, each with the
// exit code `npm run plan` must give and the config key its message must name.
import { baseConfig, stackText } from "./run";

export type Category = "yaml" | "prototype" | "injection" | "edge" | "names" | "credential" | "secret-storage" | "accepted";

export interface HostileCase {
    readonly id: string;
    readonly category: Category;
    readonly stack: string;
    readonly text: string;
    readonly code: 0 | 2;
    /** Text the message must contain: the config key (or file:line for YAML errors). */
    readonly key: string;
    /** A value that must appear in no output, artifact or command string. */
    readonly payload?: string;
}

type Config = Record<string, unknown>;
type App = Record<string, unknown>;

const N = "nexora:";
const cases: HostileCase[] = [];

function add(c: Omit<HostileCase, "stack" | "text"> & { stack?: string; config?: (c: Config) => void; text?: string }): void {
    const stack = c.stack ?? "dev";
    let text = c.text;
    if (text === undefined) {
        const env = stack.split(/[-_]/)[0]!.toLowerCase() as "dev" | "staging" | "prod";
        const config = baseConfig(env);
        c.config?.(config);
        text = stackText(config);
    }
    cases.push({ id: c.id, category: c.category, stack, text, code: c.code, key: c.key, payload: c.payload });
}

const apps = (c: Config): Record<string, App> => c[`${N}apps`] as Record<string, App>;
const pyerp = (c: Config): App => apps(c).pyerp!;

// --- 1. YAML the parser must refuse with file and line
const yamlCases: [string, string, string][] = [
    ["duplicate key", "config:\n  nexora:environment: dev\n  nexora:environment: prod\n", ":3:"],
    ["duplicate app", "config:\n  nexora:apps:\n    a1:\n      port: 1\n    a1:\n      port: 2\n", ":5:"],
    ["tab indentation", "config:\n\tnexora:environment: dev\n", ":2:"],
    ["two documents", "config: {}\n---\nconfig: {}\n", "found 2"],
    ["three documents", "---\nconfig: {}\n---\nconfig: {}\n---\nconfig: {}\n", "found 3"],
    ["unclosed flow sequence", "config:\n  nexora:apps: [\n", ":"],
    ["unclosed quote", 'config:\n  nexora:environment: "dev\n', ":"],
    ["bad indentation", "config:\n  nexora:environment: dev\n nexora:tls: acme\n", ":3:"],
    ["top level is a list", "- config\n- x\n", "top level"],
    ["top level is a scalar", "just text\n", "top level"],
    ["config is a list", "config:\n  - a\n  - b\n", "config:"],
    ["config is a scalar", "config: 42\n", "config:"],
    ["stray colon mapping", "config:\n  nexora:environment: dev: prod\n", ":2:"],
    [
        "alias bomb",
        "a: &a [x,x,x,x,x,x,x,x,x,x]\n" +
            Array.from(
                { length: 8 },
                (_, i) =>
                    `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
                        .fill(`*${String.fromCharCode(97 + i)}`)
                        .join(",")}]\n`,
            ).join("") +
            "config: {}\n",
        "alias",
    ],
    [
        "alias bomb inside config",
        "config:\n  x: &x [1,1,1,1,1,1,1,1]\n  y: &y [*x,*x,*x,*x,*x,*x,*x,*x]\n  z: &z [*y,*y,*y,*y,*y,*y,*y,*y]\n  w: [*z,*z,*z,*z,*z,*z,*z,*z]\n",
        "alias",
    ],
    ["undefined alias", "config:\n  nexora:tls: *nothing\n", ":"],
];
for (const [what, text, key] of yamlCases) add({ id: `yaml: ${what}`, category: "yaml", text, code: 2, key });

// --- 2. Prototype names as keys
for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__"]) {
    add({ id: `prototype: top-level key nexora:${name}`, category: "prototype", config: (c) => (c[`${N}${name}`] = "x"), code: 2, key: "a known key" });
    add({
        id: `prototype: secretEnv target ${name}`,
        category: "prototype",
        config: (c) => (pyerp(c).secretEnv = { SMTP_SECRET: name }),
        // A secret key may be called "constructor": it is looked up as an own entry, never inherited.
        code: /^[A-Za-z]/.test(name) ? 0 : 2,
        key: /^[A-Za-z]/.test(name) ? "" : "nexora:apps.pyerp.secretEnv.SMTP_SECRET",
    });
    add({
        id: `prototype: images.${name}`,
        category: "prototype",
        text: `config:\n  nexora:environment: dev\n  nexora:edgeSubnet: 172.30.30.0/24\n  nexora:dataSubnet: 172.30.31.0/24\n  nexora:images:\n    "${name}": x:1\n`,
        code: 2,
        key: "nexora:images.",
    });
    add({
        id: `prototype: sso field ${name}`,
        category: "prototype",
        text: `config:\n  nexora:environment: dev\n  nexora:edgeSubnet: 172.30.30.0/24\n  nexora:dataSubnet: 172.30.31.0/24\n  nexora:apps:\n    shop:\n      image: a/b:1\n      port: 80\n      sso:\n        "${name}": 1\n`,
        code: 2,
        key: "nexora:apps.shop.sso.",
    });
}
add({ id: "prototype: app named __proto__", category: "prototype", config: (c) => (apps(c).__proto__x = {}), code: 2, key: "nexora:apps." });
add({
    id: "prototype: env named __proto__",
    category: "prototype",
    text: 'config:\n  nexora:environment: dev\n  nexora:edgeSubnet: 172.30.30.0/24\n  nexora:dataSubnet: 172.30.31.0/24\n  nexora:apps:\n    shop:\n      image: a/b:1\n      port: 80\n      env:\n        "__proto__": x\n',
    code: 2,
    key: "nexora:apps.shop.env.__proto__",
});
add({
    id: "prototype: app field __proto__",
    category: "prototype",
    text: 'config:\n  nexora:environment: dev\n  nexora:edgeSubnet: 172.30.30.0/24\n  nexora:dataSubnet: 172.30.31.0/24\n  nexora:apps:\n    shop:\n      image: a/b:1\n      port: 80\n      "__proto__": {port: 1}\n',
    code: 2,
    key: "nexora:apps.shop.__proto__",
});
add({
    id: "prototype: generatedSecrets __proto__",
    category: "prototype",
    config: (c) => (pyerp(c).generatedSecrets = ["__proto__"]),
    code: 2,
    key: "nexora:apps.pyerp.generatedSecrets[0]",
});

// --- 3. Shell, config-file and URL syntax in every field that reaches one
const PAYLOADS = [
    "$(touch /tmp/pwned)",
    "`touch /tmp/pwned`",
    ";touch /tmp/pwned",
    "|touch /tmp/pwned",
    "&&touch /tmp/pwned",
    "'touch /tmp/pwned'",
    '"touch /tmp/pwned"',
    "\ntouch /tmp/pwned",
    "${IFS}touch${IFS}/tmp/pwned",
    " -oProxyCommand=touch /tmp/pwned",
    "#touch /tmp/pwned",
    "}touch /tmp/pwned{",
    "\\'touch /tmp/pwned",
    "%0atouch /tmp/pwned",
];
const FIELDS: { field: string; key: string; stack?: string; set: (c: Config, v: string) => void }[] = [
    { field: "healthPath", key: "nexora:apps.pyerp.healthPath", set: (c, v) => (pyerp(c).healthPath = `/health${v}`) },
    { field: "sso.redirectPath", key: "nexora:apps.pyerp.sso.redirectPath", set: (c, v) => (pyerp(c).sso = { redirectPath: `/cb${v}` }) },
    { field: "subdomain", key: "nexora:apps.pyerp.subdomain", set: (c, v) => (pyerp(c).subdomain = `erp${v}`) },
    { field: "image", key: "nexora:apps.pyerp.image", set: (c, v) => (pyerp(c).image = `a/b:1${v}`) },
    { field: "dockerHost", key: "nexora:dockerHost", set: (c, v) => (c[`${N}dockerHost`] = `ssh://deploy@claw-bot${v}`) },
    { field: "dockerHost user", key: "nexora:dockerHost", set: (c, v) => (c[`${N}dockerHost`] = `ssh://${v.trim()}@claw-bot`) },
    { field: "frpServerAddr", key: "nexora:frpServerAddr", stack: "prod", set: (c, v) => (c[`${N}frpServerAddr`] = `relay${v}`) },
    { field: "relayAddress", key: "nexora:relayAddress", stack: "prod", set: (c, v) => (c[`${N}relayAddress`] = `40.162.94.187${v}`) },
    { field: "acmeEmail", key: "nexora:acmeEmail", stack: "prod", set: (c, v) => (c[`${N}acmeEmail`] = `ops@restry.cn${v}`) },
    { field: "baseDomain", key: "nexora:baseDomain", set: (c, v) => (c[`${N}baseDomain`] = `nexora.restry.cn${v}`) },
    { field: "hostnamePattern", key: "nexora:hostnamePattern", set: (c, v) => (c[`${N}hostnamePattern`] = `dev-{service}${v}.{domain}`) },
    { field: "mattermostUrl", key: "nexora:mattermostUrl", set: (c, v) => (c[`${N}mattermostUrl`] = `https://mm.cn.restry.cn${v}`) },
    { field: "gitlabTokenRotation", key: "nexora:gitlabTokenRotation", set: (c, v) => (c[`${N}gitlabTokenRotation`] = `2${v}`) },
    { field: "edgeSubnet", key: "nexora:edgeSubnet", set: (c, v) => (c[`${N}edgeSubnet`] = `172.30.30.0/24${v}`) },
    { field: "env value (newline)", key: "nexora:apps.pyerp.env.APP_MODE", set: (c, v) => (pyerp(c).env = { APP_MODE: `a\n${v}` }) },
    { field: "env name", key: "nexora:apps.pyerp.env.", set: (c, v) => (pyerp(c).env = { [`X${v}`]: "1" }) },
    { field: "cloudflareZone", key: "nexora:cloudflareZone", stack: "prod", set: (c, v) => (c[`${N}cloudflareZone`] = `restry.cn${v}`) },
    { field: "app key", key: "nexora:apps.", set: (c, v) => (apps(c)[`shop${v}`] = { image: "a/b:1", port: 80 }) },
    { field: "secretEnv target", key: "nexora:apps.pyerp.secretEnv.SMTP_SECRET", set: (c, v) => (pyerp(c).secretEnv = { SMTP_SECRET: `smtp${v}` }) },
];
for (const f of FIELDS) {
    for (const [i, p] of PAYLOADS.entries()) {
        add({
            id: `injection: ${f.field} #${i} ${JSON.stringify(p)}`,
            category: "injection",
            stack: f.stack,
            config: (c) => f.set(c, p),
            code: 2,
            key: f.key,
            payload: "touch /tmp/pwned",
        });
    }
}

// --- 4. Edge settings that are valid syntax but wrong
const prod = (set: (c: Config) => void) => (c: Config) => set(c);
const edge: [string, string, string, (c: Config) => void][] = [
    ["prod", "relay 10.x", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "10.0.0.5"))],
    ["prod", "relay 192.168.x", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "192.168.31.141"))],
    ["prod", "relay loopback", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "127.0.0.1"))],
    ["prod", "relay 0.0.0.0", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "0.0.0.0"))],
    ["prod", "relay multicast", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "224.0.0.1"))],
    ["prod", "relay documentation range", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "203.0.113.7"))],
    ["prod", "relay CGNAT", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "100.64.1.1"))],
    ["prod", "relay link-local", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "169.254.169.254"))],
    ["prod", "relay leading zeros", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "040.162.094.187"))],
    ["prod", "relay five octets", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "40.162.94.187.1"))],
    ["prod", "relay hostname", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "fw-n2.restry.cn"))],
    ["prod", "relay IPv6", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "::1"))],
    ["prod", "relay integer form", "nexora:relayAddress", prod((c) => (c[`${N}relayAddress`] = "681730747"))],
    ["prod", "ssh remote port 22", "nexora:sshRemotePort", prod((c) => (c[`${N}sshRemotePort`] = 22))],
    ["prod", "ssh remote port 80", "nexora:sshRemotePort", prod((c) => (c[`${N}sshRemotePort`] = 80))],
    ["prod", "ssh remote port 443", "nexora:sshRemotePort", prod((c) => (c[`${N}sshRemotePort`] = 443))],
    ["prod", "ssh remote port = frpServerPort", "nexora:sshRemotePort", prod((c) => (c[`${N}sshRemotePort`] = 7000))],
    ["prod", "ssh remote port 70000", "nexora:sshRemotePort", prod((c) => (c[`${N}sshRemotePort`] = 70000))],
    ["prod", "publish http with tunnel", "nexora:tunnelEnabled", prod((c) => (c[`${N}publishHttpPort`] = 8080))],
    ["prod", "publish https with tunnel", "nexora:tunnelEnabled", prod((c) => (c[`${N}publishHttpsPort`] = 8443))],
    ["prod", "publish ssh with tunnel", "nexora:tunnelEnabled", prod((c) => (c[`${N}publishSshPort`] = 2223))],
    ["prod", "edge subnet contains the Docker host", "nexora:edgeSubnet", prod((c) => (c[`${N}edgeSubnet`] = "192.168.31.0/24"))],
    ["prod", "data subnet contains the Docker host", "nexora:dataSubnet", prod((c) => (c[`${N}dataSubnet`] = "192.168.0.0/16"))],
    [
        "prod",
        "edge subnet contains the relay",
        "nexora:edgeSubnet",
        prod((c) => ((c[`${N}frpServerAddr`] = "10.9.0.5"), (c[`${N}edgeSubnet`] = "10.9.0.0/24"))),
    ],
    ["prod", "frpServerPort 0", "nexora:frpServerPort", prod((c) => (c[`${N}frpServerPort`] = 0))],
    ["prod", "hostnames outside baseDomain", "nexora:hostnamePattern", prod((c) => (c[`${N}hostnamePattern`] = "{service}.evil.example"))],
    ["prod", "hostname pattern without domain", "nexora:hostnamePattern", prod((c) => (c[`${N}hostnamePattern`] = "{service}"))],
    ["prod", "hostname pattern {domain} twice", "nexora:hostnamePattern", prod((c) => (c[`${N}hostnamePattern`] = "{service}.{domain}.{domain}"))],
    ["prod", "zone does not contain baseDomain", "nexora:cloudflareZone", prod((c) => (c[`${N}cloudflareZone`] = "example.com"))],
    ["prod", "acme email without domain dot", "nexora:acmeEmail", prod((c) => (c[`${N}acmeEmail`] = "ops@localhost"))],
    ["prod", "acme email empty", "nexora:acmeEmail", prod((c) => (c[`${N}acmeEmail`] = ""))],
    ["prod", "acme email two @", "nexora:acmeEmail", prod((c) => (c[`${N}acmeEmail`] = "a@b@restry.cn"))],
    ["prod", "mattermost port 99999", "nexora:mattermostUrl", prod((c) => (c[`${N}mattermostUrl`] = "https://mm.cn.restry.cn:99999"))],
    ["prod", "mattermost port 0", "nexora:mattermostUrl", prod((c) => (c[`${N}mattermostUrl`] = "https://mm.cn.restry.cn:0"))],
    ["prod", "mattermost http", "nexora:mattermostUrl", prod((c) => (c[`${N}mattermostUrl`] = "http://mm.cn.restry.cn"))],
    ["prod", "mattermost with path", "nexora:mattermostUrl", prod((c) => (c[`${N}mattermostUrl`] = "https://mm.cn.restry.cn/x"))],
    ["prod", "mattermost with userinfo", "nexora:mattermostUrl", prod((c) => (c[`${N}mattermostUrl`] = "https://u@mm.cn.restry.cn"))],
    ["prod", "mattermost uppercase host", "nexora:mattermostUrl", prod((c) => (c[`${N}mattermostUrl`] = "https://MM.cn.restry.cn"))],
    ["dev", "public edge subnet", "nexora:edgeSubnet", (c) => (c[`${N}edgeSubnet`] = "8.8.8.0/24")],
    ["dev", "public data subnet", "nexora:dataSubnet", (c) => (c[`${N}dataSubnet`] = "1.1.1.0/24")],
    ["dev", "edge subnet /30", "nexora:edgeSubnet", (c) => (c[`${N}edgeSubnet`] = "172.30.30.0/30")],
    ["dev", "edge subnet /29 (no room for Caddy's fixed address)", "nexora:edgeSubnet", (c) => (c[`${N}edgeSubnet`] = "172.30.30.0/29")],
    ["dev", "subnet with host bits", "nexora:edgeSubnet", (c) => (c[`${N}edgeSubnet`] = "172.30.30.5/24")],
    ["dev", "subnet /7", "nexora:edgeSubnet", (c) => (c[`${N}edgeSubnet`] = "10.0.0.0/7")],
    ["dev", "subnet leading zeros", "nexora:edgeSubnet", (c) => (c[`${N}edgeSubnet`] = "172.030.30.0/24")],
    ["dev", "overlapping subnets", "nexora:dataSubnet", (c) => (c[`${N}dataSubnet`] = "172.30.30.128/25")],
    ["dev", "dockerHost ssh without user", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://claw-bot")],
    ["dev", "dockerHost ssh port 0", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://deploy@claw-bot:0")],
    ["dev", "dockerHost ssh port 70000", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://deploy@claw-bot:70000")],
    ["dev", "dockerHost ssh user -oProxyCommand", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://-oProxyCommand=id@claw-bot")],
    ["dev", "dockerHost ssh host -oProxyCommand", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://deploy@-oProxyCommand=id")],
    ["dev", "dockerHost ssh with password", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://deploy:hunter2pwned@claw-bot")],
    ["dev", "dockerHost tcp without port", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "tcp://claw-bot")],
    ["dev", "dockerHost tcp with user", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "tcp://u@claw-bot:2375")],
    ["dev", "dockerHost unix relative", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "unix://var/run/docker.sock")],
    ["dev", "dockerHost unix dot-dot", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "unix:///var/run/../../etc/shadow")],
    ["dev", "dockerHost http", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "http://claw-bot:2375")],
    ["dev", "dockerHost empty", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "")],
    // Addresses nothing can dial: unspecified, multicast, reserved/broadcast; loopback where a container dials.
    ["dev", "dockerHost tcp unspecified", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "tcp://0.0.0.0:2376")],
    ["dev", "dockerHost ssh multicast", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://deploy@224.0.0.1")],
    ["dev", "dockerHost ssh broadcast", "nexora:dockerHost", (c) => (c[`${N}dockerHost`] = "ssh://deploy@255.255.255.255")],
    ["prod", "frpServerAddr unspecified", "nexora:frpServerAddr", (c) => (c[`${N}frpServerAddr`] = "0.0.0.0")],
    ["prod", "frpServerAddr this-network", "nexora:frpServerAddr", (c) => (c[`${N}frpServerAddr`] = "0.1.2.3")],
    ["prod", "frpServerAddr multicast", "nexora:frpServerAddr", (c) => (c[`${N}frpServerAddr`] = "239.255.255.250")],
    ["prod", "frpServerAddr broadcast", "nexora:frpServerAddr", (c) => (c[`${N}frpServerAddr`] = "255.255.255.255")],
    ["prod", "frpServerAddr reserved", "nexora:frpServerAddr", (c) => (c[`${N}frpServerAddr`] = "240.0.0.1")],
    ["prod", "frpServerAddr loopback (frpc's own container)", "nexora:frpServerAddr", (c) => (c[`${N}frpServerAddr`] = "127.0.0.1")],
    ["prod", "frpServerAddr localhost", "nexora:frpServerAddr", (c) => (c[`${N}frpServerAddr`] = "localhost")],
    ["prod", "offsite repository unspecified host", "nexora:backupOffsiteRepository", (c) => (c[`${N}backupOffsiteRepository`] = "s3:https://0.0.0.0/bucket")],
    ["prod", "offsite repository loopback", "nexora:backupOffsiteRepository", (c) => (c[`${N}backupOffsiteRepository`] = "sftp:backup@127.0.0.1:/srv/restic")],
    ["dev", "memory 0", "nexora:apps.pyerp.memoryMiB", (c) => (pyerp(c).memoryMiB = 0)],
    ["dev", "memory 15", "nexora:apps.pyerp.memoryMiB", (c) => (pyerp(c).memoryMiB = 15)],
    ["dev", "memory 1e9", "nexora:apps.pyerp.memoryMiB", (c) => (pyerp(c).memoryMiB = 1e9)],
    ["dev", "memory fractional", "nexora:apps.pyerp.memoryMiB", (c) => (pyerp(c).memoryMiB = 512.5)],
    ["dev", "memory string", "nexora:apps.pyerp.memoryMiB", (c) => (pyerp(c).memoryMiB = "512m")],
    ["dev", "memory negative", "nexora:apps.pyerp.memoryMiB", (c) => (pyerp(c).memoryMiB = -512)],
    ["dev", "app port 0", "nexora:apps.pyerp.port", (c) => (pyerp(c).port = 0)],
    ["dev", "app port 65536", "nexora:apps.pyerp.port", (c) => (pyerp(c).port = 65536)],
    ["dev", "app port negative", "nexora:apps.pyerp.port", (c) => (pyerp(c).port = -80)],
    ["dev", "app port fractional", "nexora:apps.pyerp.port", (c) => (pyerp(c).port = 80.5)],
    ["dev", "app port text", "nexora:apps.pyerp.port", (c) => (pyerp(c).port = "80a")],
    ["dev", "app port list", "nexora:apps.pyerp.port", (c) => (pyerp(c).port = [80])],
    ["dev", "publish port 65536", "nexora:publishHttpPort", (c) => (c[`${N}publishHttpPort`] = 65536)],
    ["dev", "publish port twice", "nexora:publishHttpsPort", (c) => (c[`${N}publishHttpsPort`] = 18080)],
    ["dev", "tls acme without email", "nexora:acmeEmail", (c) => (c[`${N}tls`] = "acme")],
    ["dev", "baseDomain single label", "nexora:baseDomain", (c) => (c[`${N}baseDomain`] = "localhost")],
    ["dev", "baseDomain uppercase", "nexora:baseDomain", (c) => (c[`${N}baseDomain`] = "Nexora.Restry.CN")],
    ["dev", "baseDomain trailing dot", "nexora:baseDomain", (c) => (c[`${N}baseDomain`] = "nexora.restry.cn.")],
    ["dev", "baseDomain numeric TLD", "nexora:baseDomain", (c) => (c[`${N}baseDomain`] = "10.0.0.1")],
    ["dev", "boolean as word", "nexora:dnsEnabled", (c) => (c[`${N}dnsEnabled`] = "yes")],
    ["dev", "environment mismatch", "nexora:environment", (c) => (c[`${N}environment`] = "prod")],
    ["dev", "heal restarts 21", "nexora:healMaxRestarts", (c) => (c[`${N}healMaxRestarts`] = 21)],
    ["dev", "heal window 0", "nexora:healWindowMinutes", (c) => (c[`${N}healWindowMinutes`] = 0)],
    ["dev", "scrape interval 1", "nexora:monitoringScrapeSeconds", (c) => (c[`${N}monitoringScrapeSeconds`] = 1)],
    ["dev", "disk threshold 90", "nexora:alertDiskFreePercent", (c) => (c[`${N}alertDiskFreePercent`] = 90)],
    ["dev", "alert after negative", "nexora:alertAfterSeconds", (c) => (c[`${N}alertAfterSeconds`] = -5)],
    ["dev", "webhook format teams", "nexora:alertWebhookFormat", (c) => (c[`${N}alertWebhookFormat`] = "teams")],
    ["dev", "override of an unknown route", "nexora:monitorOverrides.nosuchapp", (c) => (c[`${N}monitorOverrides`] = { nosuchapp: { enabled: false } })],
    [
        "dev",
        "override health path without slash",
        "nexora:monitorOverrides.pyerp.healthPath",
        (c) => (c[`${N}monitorOverrides`] = { pyerp: { healthPath: "health" } }),
    ],
];
for (const [stack, what, key, set] of edge) add({ id: `edge: ${what}`, category: "edge", stack, config: set, code: 2, key });

// --- 5. Names that would collide
const names: [string, string, string, (c: Config) => void][] = [
    ["dev", "app gitlab-ssh", "nexora:apps.gitlab-ssh", (c) => (apps(c)["gitlab-ssh"] = { image: "a/b:1", port: 80 })],
    ["dev", "app postgres-data", "nexora:apps.postgres-data", (c) => (apps(c)["postgres-data"] = { image: "a/b:1", port: 80 })],
    ["dev", "app caddy-admin", "nexora:apps.caddy-admin", (c) => (apps(c)["caddy-admin"] = { image: "a/b:1", port: 80 })],
    ["dev", "app edge-proxy", "nexora:apps.edge-proxy", (c) => (apps(c)["edge-proxy"] = { image: "a/b:1", port: 80 })],
    ["dev", "app apps-data", "nexora:apps.apps-data", (c) => (apps(c)["apps-data"] = { image: "a/b:1", port: 80 })],
    ["dev", "app admin-panel", "nexora:apps.admin-panel", (c) => (apps(c)["admin-panel"] = { image: "a/b:1", port: 80 })],
    ["dev", "app gitlab-runner", "nexora:apps.gitlab-runner", (c) => (apps(c)["gitlab-runner"] = { image: "a/b:1", port: 80 })],
    ["dev", "app root", "nexora:apps.root", (c) => (apps(c).root = { image: "a/b:1", port: 80, database: true })],
    ["dev", "app sys", "nexora:apps.sys", (c) => (apps(c).sys = { image: "a/b:1", port: 80, database: true })],
    ["dev", "app mysql", "nexora:apps.mysql", (c) => (apps(c).mysql = { image: "a/b:1", port: 80 })],
    ["dev", "app information-schema", "nexora:apps.information-schema", (c) => (apps(c)["information-schema"] = { image: "a/b:1", port: 80 })],
    ["dev", "app performance-schema", "nexora:apps.performance-schema", (c) => (apps(c)["performance-schema"] = { image: "a/b:1", port: 80 })],
    ["dev", "app mysql-sys", "nexora:apps.mysql-sys", (c) => (apps(c)["mysql-sys"] = { image: "a/b:1", port: 80 })],
    ["dev", "app gitlab", "nexora:apps.gitlab", (c) => (apps(c).gitlab = { image: "a/b:1", port: 80 })],
    ["dev", "app www", "nexora:apps.www", (c) => (apps(c).www = { image: "a/b:1", port: 80 })],
    ["dev", "app subdomain git", "nexora:apps.shop.subdomain", (c) => (apps(c).shop = { image: "a/b:1", port: 80, subdomain: "git" })],
    ["dev", "two apps one subdomain", "nexora:apps.shop.subdomain", (c) => (apps(c).shop = { image: "a/b:1", port: 80, subdomain: "pyerp" })],
    [
        "dev",
        "two apps whose generated secrets get one name",
        "nexora:apps.ledger-a.generatedSecrets",
        (c) => {
            apps(c).ledger = { image: "a/b:1", port: 80, generatedSecrets: ["A_KEY"] };
            apps(c)["ledger-a"] = { image: "a/b:1", port: 80, generatedSecrets: ["KEY"] };
        },
    ],
    ["dev", "env names differing in case", "nexora:apps.pyerp.env", (c) => (pyerp(c).env = { APP_ENV: "a", app_env: "b" })],
    ["dev", "generated secret vs env in other case", "nexora:apps.pyerp.env", (c) => (pyerp(c).env = { secret_key: "x" })],
    ["dev", "generated secrets differing in case", "nexora:apps.pyerp.env", (c) => (pyerp(c).generatedSecrets = ["SESSION_KEY", "Session_Key"])],
    ["dev", "managed DB_HOST in lower case", "nexora:apps.pyerp.env.db_host", (c) => (pyerp(c).env = { db_host: "evil" })],
    ["dev", "managed OAUTH_ISSUER", "nexora:apps.pyerp.env.OAUTH_ISSUER", (c) => (pyerp(c).env = { OAUTH_ISSUER: "https://evil.example" })],
    ["dev-alice-bob", "stack suffix with a hyphen", "(stack name)", () => undefined],
    ["dev-gitlab", "stack suffix gitlab", "(stack name)", () => undefined],
    ["dev-edge", "stack suffix edge", "(stack name)", () => undefined],
    ["dev-apps", "stack suffix apps", "(stack name)", () => undefined],
    ["prod-erp", "stack suffix = first word of prod's app erp-dev", "(stack name)", () => undefined],
    ["dev_x", "stack name with underscore", "(stack name)", () => undefined],
    ["Dev", "stack name uppercase", "(stack name)", () => undefined],
    ["dev", "sso scopes twice", "nexora:apps.pyerp.sso.scopes", (c) => (pyerp(c).sso = { scopes: ["openid", "openid"] })],
    ["dev", "sso write scope", "nexora:apps.pyerp.sso.scopes", (c) => (pyerp(c).sso = { scopes: ["api"] })],
    ["dev", "sso redirect with query", "nexora:apps.pyerp.sso.redirectPath", (c) => (pyerp(c).sso = { redirectPath: "/cb?next=/" })],
    ["dev", "sso redirect with fragment", "nexora:apps.pyerp.sso.redirectPath", (c) => (pyerp(c).sso = { redirectPath: "/cb#x" })],
    ["dev", "sso redirect with space", "nexora:apps.pyerp.sso.redirectPath", (c) => (pyerp(c).sso = { redirectPath: "/c b" })],
    ["dev", "sso redirect with dot segment", "nexora:apps.pyerp.sso.redirectPath", (c) => (pyerp(c).sso = { redirectPath: "/a/../admin" })],
    ["dev", "sso redirect relative", "nexora:apps.pyerp.sso.redirectPath", (c) => (pyerp(c).sso = { redirectPath: "cb" })],
    ["dev", "sso redirect protocol-relative", "nexora:apps.pyerp.sso.redirectPath", (c) => (pyerp(c).sso = { redirectPath: "//evil.example/cb" })],
    ["dev", "health path protocol-relative", "nexora:apps.pyerp.healthPath", (c) => (pyerp(c).healthPath = "//evil.example/")],
    ["dev", "health path with fragment", "nexora:apps.pyerp.healthPath", (c) => (pyerp(c).healthPath = "/health#x")],
    ["dev", "health path absolute URL", "nexora:apps.pyerp.healthPath", (c) => (pyerp(c).healthPath = "http://evil.example/")],
];
for (const [stack, what, key, set] of names) add({ id: `names: ${what}`, category: "names", stack, config: set, code: 2, key });

// --- 6. Credentials in plain env: by name, and by value shape
const CREDENTIAL_NAMES = [
    "SMTP_PASS",
    "DB_PW",
    "ADMIN_PWD",
    "LDAP_PASSWD",
    "AWS_CREDS",
    "API_KEYS",
    "SMS_PIN",
    "VAULT_PASSCODE",
    "OAUTH_PROVIDER_SECRET",
    "SECRET_NAME",
    "TOKEN_ID",
    "PROVIDER_TOKEN",
    "CLIENT_SECRET_ID",
    "smtpPassword",
    "dbPass",
    "SMTPPASSWORD",
    "MYSQLPWD",
    "STRIPE_API_KEY",
    "SESSION_SECRET",
    "JWT_SECRET",
    "SENTRY_DSN",
    "PRIVATE_KEY",
    "AccessKey",
    "ldapBindCreds",
    "REDIS_REQUIREPASS",
    "PASSWORD",
    "WEBHOOK_TOKEN_NAME",
    "SIGNING_KEY",
    "ENCRYPTION_KEYS",
    "MAIL_PASSPHRASE",
];
for (const [i, name] of CREDENTIAL_NAMES.entries()) {
    const value = `plainSecretValue${i}x`;
    add({
        id: `credential name: ${name}`,
        category: "credential",
        config: (c) => (pyerp(c).env = { [name]: value }),
        code: 2,
        key: `nexora:apps.pyerp.env.${name}`,
        payload: value,
    });
}
const CREDENTIAL_VALUES: [string, string][] = [
    ["redis URL with empty user", "redis://:HunterSecret42@redis:6379"],
    ["postgres URL", "postgres://erp:HunterSecret42@db:5432/erp"],
    ["mysql URL", "mysql://erp:HunterSecret42@db/erp"],
    ["https URL userinfo", "https://deploy:HunterSecret42@git.example.com/x.git"],
    ["query token", "https://api.example.com/v1?token=HunterSecret42"],
    ["query password", "https://api.example.com/v1?user=a&password=HunterSecret42"],
    ["query api_key", "https://api.example.com/v1?api_key=HunterSecret42"],
    ["Go DSN", "erp:HunterSecret42@tcp(db:3306)/erp"],
    ["JDBC", "jdbc:mysql://db:3306/erp?user=erp&password=HunterSecret42"],
    ["ADO.NET", "Server=db;Database=erp;User Id=erp;Password=HunterSecret42;"],
    ["JSON", '{"user":"erp","password":"HunterSecret42"}'],
    ["JSON nested", '{"db": {"secret": "HunterSecret42"}}'],
    ["-D flag", "-Dspring.datasource.password=HunterSecret42"],
    ["--flag=", "--db-password=HunterSecret42"],
    ["--flag value", "--db-password HunterSecret42"],
    ["GitLab token", "glpat-HunterSecret42abcdEFGH"],
    ["GitHub token", "ghp_HunterSecret42abcdEFGHijklMNOPqrst"],
    ["AWS key id", "AKIAHUNTERSECRET4242"],
    ["long hex", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    ["long base64", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkhVTlRFUg=="],
    ["JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJIdW50ZXIifQ.HunterSecret42abcdefgh"],
    ["PEM private key", "-----BEGIN RSA PRIVATE KEY-----MIIHunterSecret42"],
    ["Slack token", "xoxb-HunterSecret42-abcdefgh"],
    ["assignment in value", "opts=a,secret=HunterSecret42"],
];
for (const [what, value] of CREDENTIAL_VALUES) {
    add({
        id: `credential value: ${what}`,
        category: "credential",
        config: (c) => (pyerp(c).env = { APP_OPTS: value }),
        code: 2,
        key: "nexora:apps.pyerp.env.APP_OPTS",
        payload: value,
    });
}

// --- 7. Secrets that are not stored as secrets, and secretEnv pointing at platform keys
const storage: [string, string, string, (c: Config) => void, string?][] = [
    ["prod", "frpToken in plaintext", "nexora:frpToken", (c) => (c[`${N}frpToken`] = "PlainFrpToken4242"), "PlainFrpToken4242"],
    ["prod", "frpToken empty", "nexora:frpToken", (c) => (c[`${N}frpToken`] = { secure: "AAABADxq" }) && (c[`${N}frpToken`] = "")],
    ["prod", "frpToken number", "nexora:frpToken", (c) => (c[`${N}frpToken`] = 424242)],
    ["prod", "frpToken mapping", "nexora:frpToken", (c) => (c[`${N}frpToken`] = { token: "PlainFrpToken4242" }), "PlainFrpToken4242"],
    ["dev", "gitlabApiToken in plaintext", "nexora:gitlabApiToken", (c) => (c[`${N}gitlabApiToken`] = "glpat-PlainApiToken4242xyz"), "PlainApiToken4242"],
    ["prod", "cloudflare:apiToken in plaintext", "cloudflare:apiToken", (c) => (c["cloudflare:apiToken"] = "PlainCloudflare4242xyz"), "PlainCloudflare4242xyz"],
    // dev has DNS off: the token is unused there, but it still sits in plaintext in the stack file.
    [
        "dev",
        "cloudflare:apiToken in plaintext, DNS off",
        "cloudflare:apiToken",
        (c) => (c["cloudflare:apiToken"] = "PlainCloudflare4242dev"),
        "PlainCloudflare4242dev",
    ],
    [
        "dev",
        "secretEnv target in plaintext",
        "nexora:apps.pyerp.secretEnv.SMTP_PASSWORD",
        (c) => ((pyerp(c).secretEnv = { SMTP_PASSWORD: "smtpPassword" }), (c[`${N}smtpPassword`] = "pyerp_smtp_pass_2024!")),
        "pyerp_smtp_pass_2024!",
    ],
    ["prod", "secretEnv → frpToken", "nexora:apps.pyerp.secretEnv.FRP", (c) => (pyerp(c).secretEnv = { FRP: "frpToken" })],
    [
        "prod",
        "alertWebhook in plaintext",
        "nexora:alertWebhook",
        (c) => ((c[`${N}monitoringEnabled`] = true), (c[`${N}alertWebhook`] = "https://mm.cn.restry.cn/hooks/plainhooktoken4242")),
        "plainhooktoken4242",
    ],
    ["dev", "secretEnv → gitlabApiToken", "nexora:apps.pyerp.secretEnv.GL", (c) => (pyerp(c).secretEnv = { GL: "gitlabApiToken" })],
    ["dev", "secretEnv → relayAddress", "nexora:apps.pyerp.secretEnv.RELAY", (c) => (pyerp(c).secretEnv = { RELAY: "relayAddress" })],
    ["dev", "secretEnv → dockerHost", "nexora:apps.pyerp.secretEnv.DH", (c) => (pyerp(c).secretEnv = { DH: "dockerHost" })],
    ["dev", "secretEnv → apps", "nexora:apps.pyerp.secretEnv.APPS", (c) => (pyerp(c).secretEnv = { APPS: "apps" })],
    ["dev", "secretEnv → namespaced key", "nexora:apps.pyerp.secretEnv.CF", (c) => (pyerp(c).secretEnv = { CF: "cloudflare:apiToken" })],
];
for (const [stack, what, key, set, payload] of storage)
    add({ id: `secret storage: ${what}`, category: "secret-storage", stack, config: set, code: 2, key, payload });

// --- 8. Hostile-looking but legitimate: accepted, and quoted where it lands
export const ACCEPTED_HEALTH_PATH = "/health?x=1&y=2";
add({ id: "accepted: health path with a query", category: "accepted", config: (c) => (pyerp(c).healthPath = ACCEPTED_HEALTH_PATH), code: 0, key: "" });
add({
    id: "accepted: app named constructor",
    category: "accepted",
    config: (c) => Reflect.set(apps(c), "constructor", { image: "a/b:1", port: 80 }),
    code: 0,
    key: "",
});
add({
    id: "accepted: env named toString and valueOf",
    category: "accepted",
    config: (c) => (pyerp(c).env = { toString: "1", valueOf: "2" }),
    code: 0,
    key: "",
});
add({
    id: "accepted: secret key named constructor, stored as a secret",
    category: "accepted",
    config: (c) => ((pyerp(c).secretEnv = { SMTP_PASSWORD: "constructor" }), (c[`${N}constructor`] = { secure: "AAABAHx" })),
    code: 0,
    key: "",
});
add({ id: "accepted: stack dev-e2e", category: "accepted", stack: "dev-e2e", code: 0, key: "" });

export const HOSTILE_CASES: readonly HostileCase[] = cases;
