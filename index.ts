// The Nexora platform of one stack: `pulumi up` with dev, staging or prod selected.
import { main } from "./components/program";

export = main().outputs;
