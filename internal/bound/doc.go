// Package bound runs an evaluation that cannot be cancelled — CUE's
// evaluator has no way to stop it — under a wall-clock deadline and a memory
// ceiling, by running it in a child process that can be killed.
//
// The child is the running binary itself (os.Executable), started with the
// environment variable MESHROLL_BOUND_JOB naming a registered Job. Serve,
// called first thing in main and in the TestMain of every package whose tests
// reach a Job, runs that job and exits; in any other process it returns at
// once. The job's input goes to the child on standard input; the child sends
// back framed messages on standard output: progress marks naming what it is
// evaluating (so that a limit names the file that crossed it) and the
// result. The parent kills the child when the deadline passes or when the
// child's resident memory, polled from /proc/PID/statm on Linux, passes the
// ceiling. The child also sets its Go memory limit to the ceiling, so that
// its collector works hard before it grows. An address-space rlimit is not
// used: it counts reservations rather than use, and breaks under the race
// detector, which reserves terabytes.
//
// Only one child runs at a time in a process, so that the ceiling bounds the
// memory of all bounded work together.
package bound
