"""Solution -> Plan: flows, costs, duals, unmet demand and paths, keyed by input ids."""
