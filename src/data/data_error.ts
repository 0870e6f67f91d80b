/**
 * DataError: the one error type the data layer throws for bad input. Its message is a single line
 * naming the file and the problem, so CLIs can print it as-is and exit non-zero.
 * @module
 */

/** A bad-input error whose message reads "FILE: problem". */
export class DataError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = "DataError";
  }
}
