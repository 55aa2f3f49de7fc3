// The engine's entry point: constructing the pack starts its gRPC server, so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies, POLICY_PACK_NAME } from "./policy-list";

new PolicyPack(POLICY_PACK_NAME, { policies: allPolicies });
