// Package junit writes JUnit XML test reports, the format CI systems (GitLab,
// Jenkins, Azure Pipelines, GitHub test-report actions) turn into a list of
// passed and failed tests: testsuites, testsuite, testcase and failure or
// error elements, with the attributes those readers agree on.
package junit
