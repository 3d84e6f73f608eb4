# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'login_window.ui'
##
## Created by: Qt User Interface Compiler
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QMetaObject)
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QSpacerItem, QTableWidget, QVBoxLayout, QWidget)

class Ui_LoginWindow(object):
    def setupUi(self, LoginWindow):
        if not LoginWindow.objectName():
            LoginWindow.setObjectName(u"LoginWindow")
        LoginWindow.resize(840, 580)
        self.outerLayout = QVBoxLayout(LoginWindow)
        self.outerLayout.setSpacing(14)
        self.outerLayout.setObjectName(u"outerLayout")
        self.outerLayout.setContentsMargins(36, 28, 36, 24)
        self.titleLabel = QLabel(LoginWindow)
        self.titleLabel.setObjectName(u"titleLabel")

        self.outerLayout.addWidget(self.titleLabel)

        self.subtitleLabel = QLabel(LoginWindow)
        self.subtitleLabel.setObjectName(u"subtitleLabel")
        self.subtitleLabel.setWordWrap(True)

        self.outerLayout.addWidget(self.subtitleLabel)

        self.setUpBox = QFrame(LoginWindow)
        self.setUpBox.setObjectName(u"setUpBox")
        self.setUpBox.setFrameShape(QFrame.StyledPanel)
        self.setUpLayout = QHBoxLayout(self.setUpBox)
        self.setUpLayout.setSpacing(12)
        self.setUpLayout.setObjectName(u"setUpLayout")
        self.setUpLabel = QLabel(self.setUpBox)
        self.setUpLabel.setObjectName(u"setUpLabel")
        self.setUpLabel.setWordWrap(True)

        self.setUpLayout.addWidget(self.setUpLabel)

        self.setUpButton = QPushButton(self.setUpBox)
        self.setUpButton.setObjectName(u"setUpButton")

        self.setUpLayout.addWidget(self.setUpButton)

        self.setUpLayout.setStretch(0, 1)

        self.outerLayout.addWidget(self.setUpBox)

        self.loginBox = QFrame(LoginWindow)
        self.loginBox.setObjectName(u"loginBox")
        self.loginBox.setFrameShape(QFrame.StyledPanel)
        self.loginBoxLayout = QVBoxLayout(self.loginBox)
        self.loginBoxLayout.setSpacing(10)
        self.loginBoxLayout.setObjectName(u"loginBoxLayout")
        self.formLayout = QFormLayout()
        self.formLayout.setObjectName(u"formLayout")
        self.formLayout.setHorizontalSpacing(12)
        self.formLayout.setVerticalSpacing(10)
        self.usernameLabel = QLabel(self.loginBox)
        self.usernameLabel.setObjectName(u"usernameLabel")

        self.formLayout.setWidget(0, QFormLayout.ItemRole.LabelRole, self.usernameLabel)

        self.usernameEdit = QLineEdit(self.loginBox)
        self.usernameEdit.setObjectName(u"usernameEdit")
        self.usernameEdit.setMaxLength(64)

        self.formLayout.setWidget(0, QFormLayout.ItemRole.FieldRole, self.usernameEdit)

        self.passwordLabel = QLabel(self.loginBox)
        self.passwordLabel.setObjectName(u"passwordLabel")

        self.formLayout.setWidget(1, QFormLayout.ItemRole.LabelRole, self.passwordLabel)

        self.passwordEdit = QLineEdit(self.loginBox)
        self.passwordEdit.setObjectName(u"passwordEdit")
        self.passwordEdit.setEchoMode(QLineEdit.Password)
        self.passwordEdit.setMaxLength(1024)

        self.formLayout.setWidget(1, QFormLayout.ItemRole.FieldRole, self.passwordEdit)


        self.loginBoxLayout.addLayout(self.formLayout)

        self.messageLabel = QLabel(self.loginBox)
        self.messageLabel.setObjectName(u"messageLabel")
        self.messageLabel.setWordWrap(True)

        self.loginBoxLayout.addWidget(self.messageLabel)

        self.buttonRow = QHBoxLayout()
        self.buttonRow.setObjectName(u"buttonRow")
        self.createLogonButton = QPushButton(self.loginBox)
        self.createLogonButton.setObjectName(u"createLogonButton")

        self.buttonRow.addWidget(self.createLogonButton)

        self.oneTimeCodeButton = QPushButton(self.loginBox)
        self.oneTimeCodeButton.setObjectName(u"oneTimeCodeButton")

        self.buttonRow.addWidget(self.oneTimeCodeButton)

        self.buttonSpacer = QSpacerItem(40, 10, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.buttonRow.addItem(self.buttonSpacer)

        self.logInButton = QPushButton(self.loginBox)
        self.logInButton.setObjectName(u"logInButton")

        self.buttonRow.addWidget(self.logInButton)


        self.loginBoxLayout.addLayout(self.buttonRow)


        self.outerLayout.addWidget(self.loginBox)

        self.demoBox = QGroupBox(LoginWindow)
        self.demoBox.setObjectName(u"demoBox")
        self.demoLayout = QVBoxLayout(self.demoBox)
        self.demoLayout.setObjectName(u"demoLayout")
        self.demoPasswordLabel = QLabel(self.demoBox)
        self.demoPasswordLabel.setObjectName(u"demoPasswordLabel")
        self.demoPasswordLabel.setWordWrap(True)

        self.demoLayout.addWidget(self.demoPasswordLabel)

        self.demoTable = QTableWidget(self.demoBox)
        self.demoTable.setObjectName(u"demoTable")
        self.demoTable.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.demoTable.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.demoTable.setSelectionMode(QAbstractItemView.SingleSelection)

        self.demoLayout.addWidget(self.demoTable)


        self.outerLayout.addWidget(self.demoBox)

        self.bottomSpacer = QSpacerItem(10, 10, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.outerLayout.addItem(self.bottomSpacer)

#if QT_CONFIG(shortcut)
        self.usernameLabel.setBuddy(self.usernameEdit)
        self.passwordLabel.setBuddy(self.passwordEdit)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.setUpButton, self.usernameEdit)
        QWidget.setTabOrder(self.usernameEdit, self.passwordEdit)
        QWidget.setTabOrder(self.passwordEdit, self.logInButton)
        QWidget.setTabOrder(self.logInButton, self.createLogonButton)
        QWidget.setTabOrder(self.createLogonButton, self.oneTimeCodeButton)
        QWidget.setTabOrder(self.oneTimeCodeButton, self.demoTable)

        self.retranslateUi(LoginWindow)

        self.logInButton.setDefault(True)


        QMetaObject.connectSlotsByName(LoginWindow)
    # setupUi

    def retranslateUi(self, LoginWindow):
        LoginWindow.setWindowTitle(QCoreApplication.translate("LoginWindow", u"Log In", None))
        self.titleLabel.setText(QCoreApplication.translate("LoginWindow", u"MassTaxConnect third-party access", None))
        self.titleLabel.setObjectName(QCoreApplication.translate("LoginWindow", u"titleLabel", None))
        self.subtitleLabel.setText(QCoreApplication.translate("LoginWindow", u"Log in to manage who may act on your tax accounts, or the clients you act for.", None))
#if QT_CONFIG(accessibility)
        self.setUpBox.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Set up this database", None))
#endif // QT_CONFIG(accessibility)
        self.setUpLabel.setText(QCoreApplication.translate("LoginWindow", u"This database is new: it has no logons yet, so no one can log in. Set it up by creating its first DOR administrator.", None))
        self.setUpButton.setText(QCoreApplication.translate("LoginWindow", u"Set Up This Database", None))
#if QT_CONFIG(accessibility)
        self.setUpButton.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Set Up This Database", None))
#endif // QT_CONFIG(accessibility)
        self.usernameLabel.setText(QCoreApplication.translate("LoginWindow", u"&Username", None))
#if QT_CONFIG(accessibility)
        self.usernameEdit.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Username", None))
#endif // QT_CONFIG(accessibility)
        self.passwordLabel.setText(QCoreApplication.translate("LoginWindow", u"&Password", None))
#if QT_CONFIG(accessibility)
        self.passwordEdit.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Password", None))
#endif // QT_CONFIG(accessibility)
        self.messageLabel.setText("")
#if QT_CONFIG(accessibility)
        self.messageLabel.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Login message", None))
#endif // QT_CONFIG(accessibility)
        self.createLogonButton.setText(QCoreApplication.translate("LoginWindow", u"Create a Logon", None))
#if QT_CONFIG(accessibility)
        self.createLogonButton.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Create a Logon", None))
#endif // QT_CONFIG(accessibility)
        self.oneTimeCodeButton.setText(QCoreApplication.translate("LoginWindow", u"Use a One-Time Code\u2026", None))
#if QT_CONFIG(accessibility)
        self.oneTimeCodeButton.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Use a One-Time Code", None))
#endif // QT_CONFIG(accessibility)
        self.logInButton.setText(QCoreApplication.translate("LoginWindow", u"Log In", None))
#if QT_CONFIG(accessibility)
        self.logInButton.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Log In", None))
#endif // QT_CONFIG(accessibility)
        self.demoBox.setTitle(QCoreApplication.translate("LoginWindow", u"Demo logons", None))
#if QT_CONFIG(accessibility)
        self.demoTable.setAccessibleName(QCoreApplication.translate("LoginWindow", u"Demo logons", None))
#endif // QT_CONFIG(accessibility)
    # retranslateUi

