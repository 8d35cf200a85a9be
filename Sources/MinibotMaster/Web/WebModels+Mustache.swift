import Mustache

// The view models drawn many times a page (a home page's cells and rows, a build page's log
// lines) answer the templates' names directly: Mustache's default lookup builds a `Mirror`
// for every name it resolves, which made a page of 2,000 log lines cost tens of
// milliseconds. Each `child(named:)` lists exactly the stored properties of its type; an
// unknown name answers nil, so Mustache looks further down the context stack as before.

extension ResultLook: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "word": word
        case "css": css
        case "icon": icon
        default: nil
        }
    }
}

extension BuildRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "builder": builder
        case "builderLink": builderLink
        case "number": number
        case "link": link
        case "worker": worker
        case "started": started
        case "duration": duration
        case "look": look
        case "state": state
        case "progress": progress.map { $0 as Any }
        default: nil
        }
    }
}

extension BuildRow.Progress: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "percent": percent
        case "eta": eta
        default: nil
        }
    }
}

extension HomePage.BuilderRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "link": link
        case "cells": cells
        case "running": running
        case "pending": pending
        case "lastDuration": lastDuration
        case "typicalDuration": typicalDuration
        default: nil
        }
    }
}

extension HomePage.BuilderRow.Cell: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "look": look
        case "link": link
        case "number": number
        default: nil
        }
    }
}

extension LogTail.Line: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "number": number
        case "html": html
        default: nil
        }
    }
}

extension BuildPage.Step: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "number": number
        case "name": self.name
        case "look": look
        case "duration": duration
        case "state": state
        case "isOpen": isOpen
        case "lines": lines
        case "totalLines": totalLines
        case "shownLines": shownLines
        case "isCut": isCut
        case "rawLink": rawLink
        case "textLink": textLink
        case "anchor": anchor
        case "linesHTML": linesHTML
        default: nil
        }
    }
}
