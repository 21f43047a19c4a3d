; TokenDesk's NSIS include (electron-builder.yml nsis.include).
;
; electron-builder's `protocols` writes nothing for NSIS, so until the app's
; first start (app.setAsDefaultProtocolClient) no tokendesk:// link could
; reach it, and uninstalling left keys pointing at a deleted program.
;
; electron-builder 26 calls these macros itself (app-builder-lib/templates/nsis):
;   customInstall    installSection.nsh, after the files are in $INSTDIR
;                    ("!ifmacrodef customInstall / !insertmacro customInstall")
;   customUnInstall  uninstaller.nsh, section "un.Uninstall", before the files go
;
; SHELL_CONTEXT is HKCU for a per-user install (the default) and HKLM for
; "all users", as electron-builder's own FileAssociation.nsh uses it.
; The values are the ones Electron writes (shell/browser/browser_win.cc
; SetAsDefaultProtocolClient): "URL:<scheme>", an empty "URL Protocol", and
; shell\open\command = "<exe>" "%1". APP_EXECUTABLE_FILENAME is the packaged
; program, "${PRODUCT_FILENAME}.exe" (templates/nsis/common.nsh): TokenDesk.exe.

!macro tokendeskRegisterScheme SCHEME
  WriteRegStr SHELL_CONTEXT "Software\Classes\${SCHEME}" "" "URL:${SCHEME}"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${SCHEME}" "URL Protocol" ""
  WriteRegStr SHELL_CONTEXT "Software\Classes\${SCHEME}\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
!macroend

!macro tokendeskRemoveScheme SCHEME
  DeleteRegKey SHELL_CONTEXT "Software\Classes\${SCHEME}"
  ; The app registers itself under HKCU at every start (Electron always writes
  ; there): remove that too, but only when it still names this installation.
  ReadRegStr $R9 HKCU "Software\Classes\${SCHEME}\shell\open\command" ""
  ${if} $R9 == '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
    DeleteRegKey HKCU "Software\Classes\${SCHEME}"
  ${endIf}
!macroend

!macro customInstall
  !insertmacro tokendeskRegisterScheme "tokendesk"
  !insertmacro tokendeskRegisterScheme "app.tokendesk"
!macroend

!macro customUnInstall
  ; An update runs the old version's uninstaller (installSection.nsh uninstallOldVersion)
  ; into the same folder: the keys stay valid, so they stay.
  ${ifNot} ${isUpdated}
    !insertmacro tokendeskRemoveScheme "tokendesk"
    !insertmacro tokendeskRemoveScheme "app.tokendesk"
  ${endIf}
!macroend
