"""Return coordination: countries and focal points, movements (convoys and flights) with the
readiness check, the per-country board and the do-not-re-enter flag. The return cases
themselves run on the workflow engine (pathway `return`)."""
