console.log("retainwise: hello", process.argv.slice(2).join(" "))
