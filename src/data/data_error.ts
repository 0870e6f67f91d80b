/**
 * DataError: the one error type the data layer throws for bad input. Its message is a single line
 * naming the file and the problem, so CLIs can print it as-is and exit non-zero.
 * It is the data layer's kind of the one bad-input error, `UserError` (src/util/errors.ts).
 * @module
 */
import { UserError } from "../core/errors.ts";

/** A bad-input error whose message reads "FILE: problem". */
export class DataError extends UserError {
  override name = "DataError";
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
  }
}
