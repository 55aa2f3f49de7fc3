// The review backend's read of another review's state: tried again while that state is being written.
import { describe, expect, it } from "vitest";
import { isHalfWrittenState, readWithRetry, stateProblem } from "../../tools/review/backend";

/** The Automation API's error for a CLI call that failed on a half-written checkpoint. */
const EOF_ERROR = new Error(
    "code: -2\n stdout: \n stderr: Command failed with exit code 1: pulumi stack output --json --show-secrets --stack review-ledger-mr105\nerror: failed to load checkpoint: EOF\n",
);

describe("readWithRetry", () => {
    it("returns the first read that succeeds, saying before each retry what it reads and why", async () => {
        let calls = 0;
        const said: string[] = [];
        const value = await readWithRetry(
            "the state of review-ledger-mr105",
            async () => {
                calls++;
                if (calls < 3) throw EOF_ERROR;
                return { url: "https://rv-mr105-ledger.nexora.restry.cn" };
            },
            { attempts: 5, pauseMs: 1, onRetry: (line) => said.push(line) },
        );
        expect(value).toEqual({ url: "https://rv-mr105-ledger.nexora.restry.cn" });
        expect(calls).toBe(3);
        expect(said).toEqual([
            "review: the state of review-ledger-mr105 unreadable (error: failed to load checkpoint: EOF), reading again in 1 ms\n",
            "review: the state of review-ledger-mr105 unreadable (error: failed to load checkpoint: EOF), reading again in 2 ms\n",
        ]);
    });

    it("gives up after the last attempt with that attempt's error", async () => {
        let calls = 0;
        const read = async () => {
            calls++;
            throw new Error(`error: failed to load checkpoint: EOF (read ${calls})`);
        };
        await expect(readWithRetry("x", read, { attempts: 4, pauseMs: 1 })).rejects.toThrow("(read 4)");
        expect(calls).toBe(4);
    });

    it("fails at once on an error that no retry mends (no such stack, a wrong passphrase)", async () => {
        for (const message of ["error: no stack named 'dev-x' found", "error: incorrect passphrase"]) {
            let calls = 0;
            const said: string[] = [];
            const read = async () => {
                calls++;
                throw new Error(`code: 255\n stderr: ${message}\n`);
            };
            await expect(readWithRetry("x", read, { pauseMs: 1, onRetry: (l) => said.push(l) })).rejects.toThrow(message);
            expect([calls, said]).toEqual([1, []]);
        }
    });

    it("reads once when the first read succeeds", async () => {
        let calls = 0;
        const said: string[] = [];
        await readWithRetry("x", async () => ++calls, { pauseMs: 1, onRetry: (l) => said.push(l) });
        expect([calls, said]).toEqual([1, []]);
    });
});

describe("isHalfWrittenState", () => {
    it("is true for what a read of a file mid-write meets, false for anything else", () => {
        expect(isHalfWrittenState(EOF_ERROR)).toBe(true);
        expect(isHalfWrittenState(new Error("stderr:\nerror: EOF\n"))).toBe(true);
        expect(isHalfWrittenState(new Error("error: could not deserialize deployment: unexpected end of JSON input"))).toBe(true);
        expect(isHalfWrittenState(new Error("error: no stack named 'review-ledger-mr1' found"))).toBe(false);
        expect(isHalfWrittenState(new Error("error: EOFError in a name"))).toBe(false);
    });
});

describe("stateProblem", () => {
    it("is the engine's error line of a wrapped CLI failure", () => {
        expect(stateProblem(EOF_ERROR)).toBe("error: failed to load checkpoint: EOF");
    });

    it("is the first non-empty line of any other error", () => {
        expect(stateProblem(new Error("\nconnect ECONNREFUSED\nmore"))).toBe("connect ECONNREFUSED");
        expect(stateProblem("plain")).toBe("plain");
    });
});
