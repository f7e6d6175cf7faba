# Fails a test with MESSAGE: a missing tool is a failure, never a skip.
message(FATAL_ERROR "${MESSAGE}")
