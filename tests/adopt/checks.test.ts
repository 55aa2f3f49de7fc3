import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareFingerprints, describeWritesSince, parseFingerprint } from "../../tools/adopt/checks";

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
