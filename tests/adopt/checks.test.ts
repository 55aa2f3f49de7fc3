import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareFingerprints, describeWritesSince, FILES_FINGERPRINT_SCRIPT, parseFingerprint } from "../../tools/adopt/checks";
import { GITLAB_USER_DATA_PATHS } from "../../tools/adopt/targets";

describe("fingerprints", () => {
    const atCutover = parseFingerprint("postgres", "gitlab.public.issues 10 aa\noutline.public.documents 20 bb\nnoise line\n");

    it("parse `name count checksum` lines under a prefix", () => {
        expect(atCutover).toEqual({
            "postgres/gitlab.public.issues": { count: 10, checksum: "aa" },
            "postgres/outline.public.documents": { count: 20, checksum: "bb" },
        });
    });

    it("say what a rollback would lose: rows written, tables created, rows changed in place", () => {
        const now = {
            ...atCutover,
            "postgres/gitlab.public.issues": { count: 12, checksum: "cc" },
            "postgres/gitlab.public.notes": { count: 3, checksum: "dd" },
        };
        expect(describeWritesSince(atCutover, now)).toEqual([
            "postgres/gitlab.public.issues: 2 rows/files written since the cutover (10 → 12) — lost by a rollback",
            "postgres/gitlab.public.notes: created since the cutover (3 rows/files) — lost by a rollback",
        ]);
        expect(describeWritesSince(atCutover, { ...atCutover, "postgres/outline.public.documents": { count: 20, checksum: "ee" } })[0]).toContain(
            "checksum differs",
        );
    });

    it("find nothing between equal fingerprints and count every lost row", () => {
        const fp = fc.dictionary(fc.stringMatching(/^[a-z.]{1,8}$/), fc.record({ count: fc.nat(1000), checksum: fc.stringMatching(/^[0-9a-f]{0,8}$/) }));
        fc.assert(
            fc.property(fp, fp, (a, b) => {
                expect(compareFingerprints(a, a)).toEqual([]);
                const lost = compareFingerprints(a, b).reduce((n, d) => n + d.lost, 0);
                const expected = Object.entries(a).reduce((n, [k, v]) => n + Math.max(0, v.count - (Object.hasOwn(b, k) ? b[k]!.count : 0)), 0);
                expect(lost).toBe(expected);
            }),
        );
    });
});

describe("the files fingerprint script (real sh, find and sha256sum over a directory)", () => {
    /** Runs the script as the helper container does, over `dir` instead of the volume's /v. */
    const run = (dir: string, paths: readonly string[] = []) => {
        const script = FILES_FINGERPRINT_SCRIPT.replace("cd /v", `cd '${dir}'`);
        expect(script).not.toBe(FILES_FINGERPRINT_SCRIPT);
        const r = spawnSync("/bin/sh", ["-c", script, "fingerprint", ...paths], { encoding: "utf8" });
        expect(r.status, r.stderr).toBe(0);
        return parseFingerprint("volume/gitlab-data", r.stdout)["volume/gitlab-data/files"]!;
    };
    const write = (dir: string, file: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
    };

    it("covers the whole volume without paths, only the given paths with them (a missing one holds nothing)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "nexora-files-fp-"));
        try {
            write(dir, "git-data/repositories/@hashed/ab/cd.git/HEAD", "ref: refs/heads/main\n");
            write(dir, "gitlab-rails/uploads/-/system/user/avatar/1/a.png", "png");
            write(dir, "redis/dump.rdb", "REDIS0011");
            write(dir, "gitaly/gitaly.pid", "42");
            expect(run(dir).count).toBe(4);
            // gitlab-rails/shared does not exist yet: it holds no files, and the script still answers.
            const users = run(dir, GITLAB_USER_DATA_PATHS);
            expect(users.count).toBe(2);
            // GitLab's own runtime state moves: the users' data fingerprint does not.
            write(dir, "redis/dump.rdb", "REDIS0011 with more keys");
            write(dir, "gitaly/gitaly.pid", "43");
            expect(run(dir, GITLAB_USER_DATA_PATHS)).toEqual(users);
            // A push, an upload, a changed file: each shows.
            write(dir, "git-data/repositories/@hashed/ab/cd.git/objects/pack/p.pack", "PACK");
            const pushed = run(dir, GITLAB_USER_DATA_PATHS);
            expect(pushed.count).toBe(3);
            write(dir, "gitlab-rails/shared/artifacts/1/job.log", "log");
            expect(run(dir, GITLAB_USER_DATA_PATHS).count).toBe(4);
            write(dir, "gitlab-rails/uploads/-/system/user/avatar/1/a.png", "another png");
            const changed = run(dir, GITLAB_USER_DATA_PATHS);
            expect(changed.count).toBe(4);
            expect(changed.checksum).not.toBe(pushed.checksum);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
