import { describe, expect, it } from "vitest";
import { MASKED, isSensitiveKey, looksRandom, maskString, maskValue } from "../../tools/mr-preview/mask";

describe("maskString", () => {
    it.each([
        ["an env assignment of a password", "POSTGRES_PASSWORD=Sup3r-Secret!", `POSTGRES_PASSWORD=${MASKED}`],
        ["an env assignment of a client secret", "OIDC_CLIENT_SECRET=abc def", `OIDC_CLIENT_SECRET=${MASKED}`],
        ["a *_KEY assignment", "SECRET_KEY=6f1d2c3b4a5968778695a4b3c2d1e0f9", `SECRET_KEY=${MASKED}`],
        [
            "URL credentials",
            "DATABASE_URL=postgres://outline:S3cretPass@nexora-prod-postgres:5432/outline",
            `DATABASE_URL=postgres://outline:${MASKED}@nexora-prod-postgres:5432/outline`,
        ],
        ["a GitLab token", "curl -H 'PRIVATE-TOKEN: glpat-xQ4vR7tY9uW2zA5bC8dE' https://gitlab", `curl -H 'PRIVATE-TOKEN: ${MASKED}' https://gitlab`],
        ["a GitHub token", "token ghp_a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwX", `token ${MASKED}`],
        ["a bcrypt hash in a flag", "--admin-password $2y$05$abcdefghijklmnopqrstuu5Gxmk0Dc4n4zEdu7bMvWqtf9hOoG3D2", `--admin-password ${MASKED}`],
        ["a base64 secret with no telling name", "value=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRg==", `value=${MASKED}`],
        ["a flag assignment", "--root-password=hunter2hunter2", `--root-password=${MASKED}`],
    ])("masks %s", (_what, input, expected) => {
        expect(maskString(input)).toBe(expected);
    });

    it.each([
        ["an image reference", "registry.nexora.restry.cn/apps/mazugift:1.4.2"],
        ["an image digest", "outlinewiki/outline@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"],
        ["a hostname", "staging-outline.nexora.restry.cn"],
        ["a data path", "/var/opt/gitlab/postgresql/data"],
        ["a URL without credentials", "https://gitlab.nexora.restry.cn/oauth/token"],
        ["an env var naming where a credential is", "OIDC_TOKEN_URI=https://gitlab.nexora.restry.cn/oauth/token"],
        ["a password file path", "PORTAINER_ADMIN_PASSWORD_FILE=/run/secrets/portainer"],
        ["a Caddy matcher", "@gitlab host gitlab.nexora.restry.cn"],
        ["the engine's own secret marker", "[secret]"],
    ])("leaves %s readable", (_what, input) => {
        expect(maskString(input)).toBe(input);
    });
});

describe("maskValue", () => {
    it("masks a whole value under a sensitive property name, at any depth", () => {
        expect(maskValue({ auth: { method: "token", token: "frp-shared-2026" }, serverAddr: "40.162.94.187" })).toEqual({
            auth: { method: "token", token: MASKED },
            serverAddr: "40.162.94.187",
        });
    });

    it("leaves identifiers readable even when they look random", () => {
        expect(maskValue({ zoneId: "3f1c9a0e8b7d6c5a4f3e2d1c0b9a8f7e" })).toEqual({ zoneId: "3f1c9a0e8b7d6c5a4f3e2d1c0b9a8f7e" });
        expect(maskValue({ note: "3f1c9a0e8b7d6c5a4f3e2d1c0b9a8f7e" })).toEqual({ note: MASKED });
    });

    it("does not treat gitlab ProjectVariable's `key` (a variable name) as a credential", () => {
        expect(maskValue({ key: "DEPLOY_ENV", value: "staging" })).toEqual({ key: "DEPLOY_ENV", value: "staging" });
        expect(isSensitiveKey("key")).toBe(false);
        expect(isSensitiveKey("privateKey")).toBe(true);
    });

    it("masks each entry of an env list on its own", () => {
        expect(maskValue(["PORT=3000", "REDIS_PASSWORD=x", "[secret]"])).toEqual(["PORT=3000", `REDIS_PASSWORD=${MASKED}`, "[secret]"]);
    });
});

describe("looksRandom", () => {
    it("tells generated strings from words", () => {
        expect(looksRandom("a9b8c7d6e5f40312213243546576879801a2b3c4")).toBe(true);
        expect(looksRandom("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFC")).toBe(true);
        expect(looksRandom("nexora-staging-uptime-kuma-data")).toBe(false);
        expect(looksRandom("managed-by-nexora-platform-staging")).toBe(false);
    });
});

describe("a release fingerprint", () => {
    // components/docker/release.ts: the release id's keeper, a truncated sha256, unsecreted by the program.
    const fingerprint = "193cb443fb26db67a54a941ac0cd3b41";

    it("stays readable under `fingerprint`, as the release id's keeper, so a reviewer sees a release renewed", () => {
        expect(looksRandom(fingerprint)).toBe(true);
        expect(maskValue({ byteLength: 4, keepers: { fingerprint } })).toEqual({ byteLength: 4, keepers: { fingerprint } });
        expect(maskValue(fingerprint, "fingerprint")).toBe(fingerprint);
    });

    it("is masked under any other key, and anything not of its shape under `fingerprint` is masked", () => {
        expect(maskValue({ keepers: { seed: fingerprint } })).toEqual({ keepers: { seed: MASKED } });
        expect(maskString(fingerprint)).toBe(MASKED);
        for (const other of [
            fingerprint.toUpperCase(),
            `${fingerprint}0a1b2c3d`,
            `x ${fingerprint}`,
            "glpat-xQ4vR7tY9uW2zA5bC8dE",
            "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRg==",
        ]) {
            expect(maskValue(other, "fingerprint"), other).not.toBe(other);
        }
    });
});
