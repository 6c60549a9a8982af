/** A dataset problem the user must fix: the message names the file and line (or the field). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}
