// `up --seed-from-host`: the host app's database copied into the review's inside the host's MySQL
// container, before the app starts; only when asked, only for an app with a database.
import { beforeEach, describe, expect, it } from "vitest";
import { reviewSeedScript } from "../../components/review/review";
import { type MockRecorder, setupMocks } from "../support/mocks";
import { fakeBackend, runReview } from "./support";

const IMAGE = "registry.example.com/erp/ledger:mr-12-3f2a9c1";
let mocks: MockRecorder;
beforeEach(() => {
    mocks = setupMocks({ stack: "review-ledger-mr12" });
});

const seedCommand = () => mocks.ofType("command:local:Command").find((c) => c.name === "review-seed");

describe("review up --seed-from-host", () => {
    it("copies the host app's database into the review's inside the host's MySQL container, before the app starts", async () => {
        const r = await runReview(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE, "--seed-from-host"], fakeBackend());
        await mocks.settled();
        expect(r.code, r.stderr).toBe(0);
        const seed = seedCommand()!;
        expect(seed.inputs.create).toMatch(/^docker exec -i 'nexora-dev-mysql' sh -c '/);
        expect(seed.inputs.create).toContain("mysqldump --protocol=socket -uroot --single-transaction --routines --triggers --no-tablespaces");
        expect(seed.inputs.create).toContain(`--no-tablespaces '\\''ledger'\\''; echo $? >&3; } | sed`);
        expect(seed.inputs.create).toContain(`| MYSQL_PWD="$pw" mysql --protocol=socket -uroot '\\''mr12_ledger'\\'' >&4;`);
        // Nothing of the host's data in logs or plain state; no delete (the database's drop takes the copy).
        expect(seed.inputs.logging).toBe("none");
        expect(seed.inputs.delete).toBeUndefined();
        expect(seed.options.ignoreChanges).toContain("create");
        const provisioning = mocks.ofType("command:local:Command").find((c) => c.name === "review-database")!;
        expect(seed.options.dependencies).toContain(provisioning.urn);
        const container = mocks.ofType("docker:index/container:Container")[0]!;
        expect(container.options.dependencies).toContain(seed.urn);
    });

    it("copies nothing without the option", async () => {
        const r = await runReview(["up", "--app", "ledger", "--mr", "12", "--image", IMAGE], fakeBackend());
        await mocks.settled();
        expect(r.code, r.stderr).toBe(0);
        expect(seedCommand()).toBeUndefined();
    });

    it("refuses an app without a database (exit 2), nothing created", async () => {
        const backend = fakeBackend();
        const r = await runReview(["up", "--app", "brochure", "--mr", "3", "--image", "registry.example.com/web/brochure:mr-3", "--seed-from-host"], backend);
        await mocks.settled();
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--seed-from-host: app brochure of host stack dev has no database/);
        expect(backend.calls.filter((c) => c.startsWith("up") || c.startsWith("reserve"))).toEqual([]);
        expect(mocks.resources).toEqual([]);
    });
});

describe("reviewSeedScript", () => {
    it("refuses names outside the review rule and a copy onto itself", () => {
        expect(() => reviewSeedScript("ledger", "ledger")).toThrow(/both ledger/);
        expect(() => reviewSeedScript("ledger'; DROP", "mr1_ledger")).toThrow(/not a MySQL identifier/);
        expect(() => reviewSeedScript("ledger", "mr1_ledger`x")).toThrow(/not a MySQL identifier/);
    });
});
