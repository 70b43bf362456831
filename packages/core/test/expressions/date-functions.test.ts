import { describe, expect, it } from "vitest";
import { compileExpression } from "../../src/index.ts";
import type { ExpressionContext } from "../../src/index.ts";

const clock: ExpressionContext = { now: () => new Date("2021-07-02T15:33:38.250Z") };

function ev(text: string, attributes: Record<string, unknown> = {}, context: ExpressionContext = clock): unknown {
  return compileExpression(text).evaluate(attributes, context);
}

describe("CDate", () => {
  it.each([
    ["2020-03-16-07:00", "3/16/2020 7:00:00 AM"],
    ["2021-06-30+08:00", "6/29/2021 4:00:00 PM"],
    ["2009-06-15T01:45:30-07:00", "6/15/2009 8:45:30 AM"],
    ["2024-02-29T23:59:59.999Z", "2/29/2024 11:59:59 PM"],
    ["2024-02-29 12:00", "2/29/2024 12:00:00 PM"],
    ["2024-01-05", "1/5/2024 12:00:00 AM"],
    ["8/25/2021 5:41:18 PM", "8/25/2021 5:41:18 PM"],
    ["12/1/2021 12:05:00 AM", "12/1/2021 12:05:00 AM"],
    ["2021/08/24", "8/24/2021 12:00:00 AM"],
    ["Tue, 15 Jun 2009 20:45:30 GMT", "6/15/2009 8:45:30 PM"],
    ["  2020-01-01T00:00:00+0530 ", "12/31/2019 6:30:00 PM"],
  ])("reads %s as %s (UTC)", (input, output) => {
    expect(ev("CDate([d])", { d: input })).toBe(output);
  });

  it("reads Date objects and gives null for null", () => {
    expect(ev("CDate([d])", { d: new Date("2022-05-06T07:08:09Z") })).toBe("5/6/2022 7:08:09 AM");
    expect(ev("CDate([d])")).toBeNull();
  });

  it.each([["not a date"], ["2021-02-30"], ["13/1/2021"], ["2021-01-01T25:00"], ["2021-01-01+15:00"]])("fails for %s, naming CDate", (input) => {
    expect(() => ev("CDate([d])", { d: input })).toThrow(/^CDate: /);
  });
});

describe("DateAdd", () => {
  const hire = { StatusHireDate: "2012-03-16-07:00" };
  it.each([
    ['"d"', 7, "3/23/2012 7:00:00 AM"],
    ['"d"', -10, "3/6/2012 7:00:00 AM"],
    ['"ww"', 2, "3/30/2012 7:00:00 AM"],
    ['"m"', 10, "1/16/2013 7:00:00 AM"],
    ['"yyyy"', 2, "3/16/2014 7:00:00 AM"],
    ['"h"', 5, "3/16/2012 12:00:00 PM"],
    ['"n"', -1, "3/16/2012 6:59:00 AM"],
    ['"s"', 90, "3/16/2012 7:01:30 AM"],
    ['"q"', 1, "6/16/2012 7:00:00 AM"],
  ])("DateAdd(%s, %i, hire date) = %s (reference table)", (interval, value, output) => {
    expect(ev(`DateAdd(${interval}, ${value}, CDate([StatusHireDate]))`, hire)).toBe(output);
  });

  it("clamps the day at the end of the month for months and years", () => {
    expect(ev('DateAdd("m", 1, CDate("2024-01-31"))')).toBe("2/29/2024 12:00:00 AM");
    expect(ev('DateAdd("yyyy", 1, CDate("2024-02-29"))')).toBe("2/28/2025 12:00:00 AM");
    expect(ev('DateAdd("m", -13, CDate("2024-03-31"))')).toBe("2/28/2023 12:00:00 AM");
  });

  it("truncates a fractional count, accepts upper-case intervals and a plain date string", () => {
    expect(ev('DateAdd("d", 1.9, "2024-01-01")')).toBe("1/2/2024 12:00:00 AM");
    expect(ev('DateAdd("D", [n], "2024-01-01")', { n: "3" })).toBe("1/4/2024 12:00:00 AM");
  });

  it("gives null for a null date or count, and fails for a bad interval or count", () => {
    expect(ev('DateAdd("d", 1, CDate([missing]))')).toBeNull();
    expect(ev('DateAdd("d", [n], "2024-01-01")')).toBeNull();
    expect(() => ev('DateAdd([i], 1, "2024-01-01")', { i: "fortnight" })).toThrow(/interval must be one of/);
    expect(() => ev('DateAdd("d", "many", "2024-01-01")')).toThrow(/value must be a number/);
    expect(() => ev('DateAdd("yyyy", 9000, "2024-01-01")')).toThrow(/years 1 to 9999/);
  });
});

describe("DateDiff", () => {
  it.each([
    ["d", "2021-08-18+08:00", "2021-08-31+08:00", 13],
    ["d", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -3449],
    ["ww", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -493],
    ["m", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -113],
    ["yyyy", "8/25/2021 5:41:18 PM", "2012-03-16-07:00", -9],
    ["d", "2021-08-31+08:00", "2021-08-31+08:00", 0],
    ["h", "2021-08-24", "2021-08-25", 24],
    ["n", "2021-08-24", "2021-08-25", 1440],
    ["s", "2021-08-24", "2021-08-25", 86400],
  ])("DateDiff(%s, %s, %s) = %i (reference table)", (interval, d1, d2, output) => {
    expect(ev(`DateDiff("${interval}", CDate("${d1}"), CDate("${d2}"))`)).toBe(output);
  });

  it("counts calendar boundaries for years, quarters and months, like VB", () => {
    expect(ev('DateDiff("yyyy", "2021-12-31T23:59:59Z", "2022-01-01T00:00:00Z")')).toBe(1);
    expect(ev('DateDiff("m", "2021-01-31", "2021-02-01")')).toBe(1);
    expect(ev('DateDiff("q", "2021-03-31", "2021-04-01")')).toBe(1);
  });

  it("counts Sunday-based week starts for ww and whole weeks for w", () => {
    expect(ev('DateDiff("ww", "2024-06-01", "2024-06-02")')).toBe(1); // Saturday to Sunday
    expect(ev('DateDiff("w", "2024-06-01", "2024-06-02")')).toBe(0);
    expect(ev('DateDiff("ww", "2024-06-02", "2024-06-08")')).toBe(0); // Sunday to Saturday
  });

  it("truncates elapsed days and hours", () => {
    expect(ev('DateDiff("d", "2024-01-01T12:00:00Z", "2024-01-02T11:59:59Z")')).toBe(0);
    expect(ev('DateDiff("h", "2024-01-02T11:59:59Z", "2024-01-01T12:00:00Z")')).toBe(-23);
  });

  it("compares with Now() from the context clock", () => {
    expect(ev('DateDiff("d", Now(), CDate([StatusHireDate]))', { StatusHireDate: "2021-07-12" })).toBe(9);
    const e = 'Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")';
    expect(ev(e, { Active: "1", StatusHireDate: "2021-07-05" })).toBe("True");
    expect(ev(e, { Active: "1", StatusHireDate: "2021-08-05" })).toBe("False");
  });

  it("gives null when a date is null", () => {
    expect(ev('DateDiff("d", [a], Now())')).toBeNull();
  });
});

describe("DateFromNum and NumFromDate", () => {
  it("converts AD ticks (100 ns since 1601) to a date", () => {
    expect(ev("DateFromNum(129699324000000000)")).toBe("1/1/2012 11:00:00 PM");
    expect(ev("DateFromNum([lastLogonTimestamp])", { lastLogonTimestamp: "129699324000000000" })).toBe("1/1/2012 11:00:00 PM");
    expect(ev("DateFromNum([t])", { t: 129699324000000000n })).toBe("1/1/2012 11:00:00 PM");
    expect(ev("DateFromNum(0)")).toBe("1/1/1601 12:00:00 AM");
    expect(ev("DateFromNum([t])")).toBeNull();
    expect(() => ev('DateFromNum("soon")')).toThrow(/number of ticks/);
  });

  it("converts a date to AD ticks, exactly", () => {
    expect(ev('NumFromDate("2012-01-01T23:00:00Z")')).toBe("129699324000000000");
    const workday = 'NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))';
    expect(ev(workday, { ContractEndDate: "2020-12-31-08:00" })).toBe("132539615990000000");
    expect(ev("DateFromNum(NumFromDate([d]))", { d: "2030-05-06T07:08:09Z" })).toBe("5/6/2030 7:08:09 AM");
    expect(ev("NumFromDate([d])")).toBeNull();
  });
});

describe("FormatDateTime", () => {
  it("follows the reference example, with and without dateTimeStyles", () => {
    expect(ev('FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")', { extensionAttribute1: "20150123105347.1Z" })).toBe("2015-01-23");
    expect(ev('FormatDateTime([extensionAttribute1], "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")', { extensionAttribute1: "20150123105347.1Z" })).toBe("2015-01-23");
  });

  it("reads the SuccessFactors format", () => {
    expect(ev('FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")', { endDate: "1/5/2021 01:30:00 PM" })).toBe("2021-01-05");
  });

  it("converts a value with an offset to UTC", () => {
    expect(ev('FormatDateTime([d], , "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-dd HH:mm K")', { d: "2020-12-31T20:00:00-08:00" })).toBe("2021-01-01 04:00 Z");
  });

  it("writes the .NET custom specifiers", () => {
    const d = { d: "2024-03-05T14:07:09.120Z" };
    const f = (out: string): unknown => ev(`FormatDateTime(CDate([d]), , "M/d/yyyy h:mm:ss tt", "${out}")`, d);
    expect(f("dddd, MMMM d, yyyy h:mm tt")).toBe("Tuesday, March 5, 2024 2:07 PM");
    expect(f("ddd dd MMM yy H:m:s t")).toBe("Tue 05 Mar 24 14:7:9 P");
    expect(f("HH:mm:ss.fff / .FFF / .F")).toBe("14:07:09.120 / .12 / .1");
    expect(f("ss.FFF")).toBe("09.12");
    expect(f("'yyyy' \\\\d %d zzz")).toBe("yyyy d 5 +00:00");
    expect(f("o")).toBe("2024-03-05T14:07:09.1200000Z");
    expect(f("s")).toBe("2024-03-05T14:07:09");
    expect(f("u")).toBe("2024-03-05 14:07:09Z");
    expect(f("d")).toBe("03/05/2024");
  });

  it("drops the decimal point when F prints nothing", () => {
    expect(ev('FormatDateTime([d], , "yyyy-MM-dd HH:mm:ss", "HH:mm:ss.FFF")', { d: "2024-01-01 10:00:00" })).toBe("10:00:00");
  });

  it("reads two-digit years with the 2049 window and month and day names", () => {
    expect(ev('FormatDateTime([d], , "dd-MMM-yy", "yyyy-MM-dd")', { d: "01-Feb-49" })).toBe("2049-02-01");
    expect(ev('FormatDateTime([d], , "dd-MMM-yy", "yyyy-MM-dd")', { d: "01-feb-50" })).toBe("1950-02-01");
    expect(ev('FormatDateTime([d], , "dddd, MMMM d, yyyy", "yyyy-MM-dd")', { d: "Tuesday, March 5, 2024" })).toBe("2024-03-05");
    expect(() => ev('FormatDateTime([d], , "dddd, MMMM d, yyyy", "yyyy-MM-dd")', { d: "Monday, March 5, 2024" })).toThrow(/day of the week/);
  });

  it("uses the clock's date when the input has no date", () => {
    expect(ev('FormatDateTime([t], , "HH:mm", "yyyy-MM-dd HH:mm")', { t: "09:15" })).toBe("2021-07-02 09:15");
  });

  it("honours DateTimeStyles for white space", () => {
    const text = { d: " 2024-01-02 " };
    expect(ev('FormatDateTime([d], , "yyyy-MM-dd", "yyyy")', text)).toBe("2024");
    expect(() => ev('FormatDateTime([d], "None", "yyyy-MM-dd", "yyyy")', text)).toThrow(/does not match/);
    expect(ev('FormatDateTime([d], "AllowWhiteSpaces", "yyyy-MM-dd", "yyyy")', { d: " 2024 - 01-02" })).toBe("2024");
  });

  it("fails for input that does not match the format, naming the function", () => {
    expect(() => ev('FormatDateTime([d], , "yyyy-MM-dd", "yyyy")', { d: "2024/01/02" })).toThrow(/^FormatDateTime: '2024\/01\/02' does not match the format 'yyyy-MM-dd'/);
    expect(() => ev('FormatDateTime([d], , "yyyy-MM-dd", "yyyy")', { d: "2024-02-30" })).toThrow(/out of range/);
  });

  it("gives null for null and formats each value of a multi-value", () => {
    expect(ev('FormatDateTime([d], , "yyyy-MM-dd", "dd.MM.yyyy")')).toBeNull();
    expect(ev('FormatDateTime([d], , "yyyy-MM-dd", "dd.MM.yyyy")', { d: ["2024-01-02", "2025-03-04"] })).toEqual(["02.01.2024", "04.03.2025"]);
  });
});

describe("Now", () => {
  it("reads the context clock and renders M/d/yyyy h:mm:ss tt in UTC", () => {
    expect(ev("Now()")).toBe("7/2/2021 3:33:38 PM");
  });
  it("uses the system clock when the context has none", () => {
    const before = Date.now();
    const text = compileExpression('FormatDateTime(Now(), , "M/d/yyyy h:mm:ss tt", "o")').evaluate({}) as string;
    expect(Date.parse(text)).toBeGreaterThanOrEqual(before - 1000);
    expect(compileExpression("Now()").evaluate({})).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$/);
  });
});
