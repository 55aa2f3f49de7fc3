export * from "../../tests/support/mocks";
