// The tests use the same mock engine as `npm run plan`.
export * from "../../tools/plan/mock-engine";
