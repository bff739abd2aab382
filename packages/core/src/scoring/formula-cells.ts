/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with `=`, `+`, `-`,
 * `@`, tab or carriage return as a formula, so a customer id like `=HYPERLINK(...)` in an uploaded
 * file would run on the machine of whoever opens the scored file. Every text cell we write gets a
 * leading `'` when it starts with one of these: spreadsheets show the text, and `'` is easy to strip
 * for programs. Numbers we format ourselves (`churn_probability`) never start with one, so they stay
 * numbers; a passed-through input cell such as `-5` is text to us and gets the quote too.
 *
 * @example
 *   neutralizeFormula("=1+1")       // "'=1+1"
 *   neutralizeFormula("7590-VHVEG") // "7590-VHVEG"
 */
export function neutralizeFormula(cell: string): string {
  switch (cell.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // carriage return
      return `'${cell}`;
    default:
      return cell;
  }
}
