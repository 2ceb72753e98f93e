// Package gen generates large sets of realistic rollout intent for
// benchmarks: the patterns of the example intents (A/B routes by header,
// cookie and source labels, mirrors, faults, circuit breakers, custom
// ladders, host-based tracks) spread over many namespaces.
package gen
