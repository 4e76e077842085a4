/** Where a command writes its lines (stdout in the CLI, a collector in tests). */
export type Out = (line: string) => void;
